using System.Diagnostics;
using System.Globalization;
using Correlation.Messaging.Propagation;
using MassTransit;
using static Correlation.Messaging.Throughput.HarnessArgs;

namespace Correlation.Messaging.Throughput.RabbitMq;

/// <summary>A message of the bus without propagation.</summary>
public sealed record PlainThroughputMessage(int Index, string Payload);

/// <summary>The same message for the bus that writes the two headers by hand.</summary>
public sealed record HandWrittenThroughputMessage(int Index, string Payload);

/// <summary>The same message for the bus with <c>UseCorrelationPropagation</c> (a separate type, so each bus has its own exchange).</summary>
public sealed record CorrelatedThroughputMessage(int Index, string Payload);

/// <summary>
/// MassTransit publish-and-consume throughput on a real RabbitMQ broker, with and without <c>UseCorrelationPropagation</c>
/// (and with the two headers written by hand, to separate the package's cost from the cost of carrying headers), in
/// interleaved rounds whose order rotates, so that drift in the broker or the machine hits every variant alike.
/// </summary>
/// <remarks>
/// Options: <c>--messages N</c> per round (default 5,000), <c>--rounds R</c> (default 12), <c>--in-flight K</c> concurrent
/// publishes (default 64), <c>--uri amqp://…</c> (default <c>RABBITMQ_URI</c>). A round publishes N messages, each from
/// inside a correlation scope as a consumer or a web request would, and ends when the consumer has handled all N; the rate
/// counts consumed messages. All buses use prefetch 32 and 16 concurrent messages, and log nothing.
/// </remarks>
internal static class RabbitMqThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var messages = Option(args, "--messages", 5_000);
        var rounds = Option(args, "--rounds", 12);
        var inFlight = Option(args, "--in-flight", 64);
        var uriText = OptionText(args, "--uri") ?? Environment.GetEnvironmentVariable("RABBITMQ_URI");
        if (string.IsNullOrEmpty(uriText))
        {
            Console.Error.WriteLine("RABBITMQ_URI is not set: eng/brokers.sh up rabbitmq && eval \"$(eng/brokers.sh env)\"");
            return 2;
        }

        var uri = new Uri(uriText);
        // without:     no correlation at all;
        // by hand:     a publish filter writes the same two headers from the ambient context, no consume side: what carrying
        //              the IDs costs on the wire (AMQP table and JSON envelope, both ways) without this package;
        // with:        UseCorrelationPropagation.
        IVariant[] variants =
        [
            new Variant<PlainThroughputMessage>("without", uri, Mode.None, (i, p) => new PlainThroughputMessage(i, p)),
            new Variant<HandWrittenThroughputMessage>("by-hand", uri, Mode.HandWritten, (i, p) => new HandWrittenThroughputMessage(i, p)),
            new Variant<CorrelatedThroughputMessage>("with", uri, Mode.Propagation, (i, p) => new CorrelatedThroughputMessage(i, p)),
        ];
        try
        {
            foreach (var variant in variants)
            {
                await variant.StartAsync();
            }

            Console.WriteLine($"MassTransit + RabbitMQ publish-and-consume: {messages:N0} messages per round, 3 warm-up and {rounds} interleaved rounds, {inFlight} publishes in flight");
            Console.WriteLine($"broker {uri.Host}:{uri.Port}; {Environment.ProcessorCount} cores; .NET {Environment.Version}; prefetch 32, concurrency 16");
            for (var w = 0; w < 3; w++)
            {
                foreach (var variant in variants)
                {
                    await variant.RoundAsync(messages, inFlight); // warm-up: JIT tiers, topology, connections
                }
            }

            var n = variants.Length;
            var rates = Enumerable.Range(0, n).Select(_ => new List<double>()).ToArray();
            var cpu = Enumerable.Range(0, n).Select(_ => new List<double>()).ToArray();
            for (var r = 0; r < rounds; r++)
            {
                var measured = new (double Rate, double CpuMicros)[n];
                for (var k = 0; k < n; k++)
                {
                    var v = (r + k) % n; // rotate the order each round
                    measured[v] = await variants[v].RoundAsync(messages, inFlight);
                }

                var line = new System.Text.StringBuilder(string.Create(CultureInfo.InvariantCulture, $"round {r + 1,2}:"));
                for (var v = 0; v < n; v++)
                {
                    rates[v].Add(measured[v].Rate);
                    cpu[v].Add(measured[v].CpuMicros);
                    line.Append(CultureInfo.InvariantCulture, $"  {variants[v].Name} {measured[v].Rate,7:N0} msg/s {measured[v].CpuMicros,5:F1} us");
                }

                line.Append(CultureInfo.InvariantCulture, $"  ratio with/without {measured[2].Rate / measured[0].Rate:F3}");
                Console.WriteLine(line);
            }

            var ratios = rates[2].Zip(rates[0], (w, wo) => w / wo).ToList();
            var ratiosHand = rates[2].Zip(rates[1], (w, h) => w / h).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median msg/s: without {Median(rates[0]):N0}, by-hand {Median(rates[1]):N0}, with {Median(rates[2]):N0}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median CPU of this process per message (us): without {Median(cpu[0]):F1}, by-hand {Median(cpu[1]):F1}, with {Median(cpu[2]):F1} (broker CPU not included)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"throughput ratio with / without: median of rounds {Median(ratios):F3}, ratio of medians {Median(rates[2]) / Median(rates[0]):F3} (goal >= 0.98)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"throughput ratio with / by-hand (the package's own cost): median of rounds {Median(ratiosHand):F3}"));
            Console.WriteLine($"RESULT throughput ratio with / by-hand: {Spread(ratiosHand)}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"CPU ratio without / with (1.0 = free): {Median(cpu[0]) / Median(cpu[2]):F3}; by-hand / with: {Median(cpu[1]) / Median(cpu[2]):F3}"));
            return 0;
        }
        finally
        {
            foreach (var variant in variants)
            {
                await variant.StopAsync();
            }
        }
    }

    private interface IVariant
    {
        string Name { get; }

        Task StartAsync();

        Task<(double Rate, double CpuMicros)> RoundAsync(int messages, int inFlight);

        Task StopAsync();
    }

    private enum Mode
    {
        None,
        HandWritten,
        Propagation,
    }

    private sealed class Variant<T>(string name, Uri uri, Mode mode, Func<int, string, T> create) : IVariant
        where T : class
    {
        private static readonly string Payload = new('x', 256);
        private readonly string _queue = $"throughput-{name}-{Guid.NewGuid():N}";
        private IBusControl? _bus;
        private int _consumed;
        private int _target;
        private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => name;

        public async Task StartAsync()
        {
            _bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
            {
                cfg.Host(uri);
                if (mode == Mode.Propagation)
                {
                    cfg.UseCorrelationPropagation(new CorrelationPropagator(new CorrelationOptions()));
                }
                else if (mode == Mode.HandWritten)
                {
                    cfg.ConfigurePublish(p => p.UseFilter(new HandWrittenHeadersFilter()));
                }

                cfg.ReceiveEndpoint(_queue, e =>
                {
                    e.AutoDelete = true;
                    e.Durable = false;
                    e.PrefetchCount = 32;
                    e.ConcurrentMessageLimit = 16;
                    e.Handler<T>(_ =>
                    {
                        if (Interlocked.Increment(ref _consumed) == Volatile.Read(ref _target))
                        {
                            _done.TrySetResult();
                        }

                        return Task.CompletedTask;
                    });
                });
            });
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _bus.StartAsync(cts.Token);
        }

        public async Task<(double Rate, double CpuMicros)> RoundAsync(int messages, int inFlight)
        {
            using var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            _consumed = 0;
            _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _target, messages);
            var next = -1;
            var stopwatch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
            {
                // One flow per publisher task: a consumer or request handler publishing with its context ambient.
                using var scope = CorrelationContext.BeginScope(new CorrelationContext(Guid.NewGuid().ToString(), messageId: Guid.NewGuid().ToString()));
                int i;
                while ((i = Interlocked.Increment(ref next)) < messages)
                {
                    await _bus!.Publish(create(i, Payload));
                }
            }));
            await _done.Task.WaitAsync(TimeSpan.FromMinutes(5));
            var elapsed = stopwatch.Elapsed;
            process.Refresh();
            return (messages / elapsed.TotalSeconds, (process.TotalProcessorTime - cpuBefore).TotalMicroseconds / messages);
        }

        public async Task StopAsync()
        {
            if (_bus is not null)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _bus.StopAsync(cts.Token);
            }
        }
    }

    /// <summary>Writes the two headers from the ambient context, as an application would without this package.</summary>
    private sealed class HandWrittenHeadersFilter : IFilter<PublishContext>
    {
        public Task Send(PublishContext context, IPipe<PublishContext> next)
        {
            if (CorrelationContext.Current is { } ambient)
            {
                context.Headers.Set("X-Correlation-ID", ambient.CorrelationId);
                context.Headers.Set("X-Causation-ID", ambient.MessageId);
            }

            return next.Send(context);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("handWritten");
    }
}
