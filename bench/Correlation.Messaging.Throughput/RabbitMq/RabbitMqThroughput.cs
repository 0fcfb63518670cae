using System.Diagnostics;
using System.Globalization;
using Correlation.Messaging.Propagation;
using MassTransit;

namespace Correlation.Messaging.Throughput.RabbitMq;

/// <summary>A message of the bus without propagation.</summary>
public sealed record PlainThroughputMessage(int Index, string Payload);

/// <summary>The same message for the bus with <c>UseCorrelationPropagation</c> (a separate type, so each bus has its own exchange).</summary>
public sealed record CorrelatedThroughputMessage(int Index, string Payload);

/// <summary>
/// MassTransit publish-and-consume throughput on a real RabbitMQ broker, with and without <c>UseCorrelationPropagation</c>,
/// in interleaved rounds whose order alternates, so that drift in the broker or the machine hits both variants alike.
/// </summary>
/// <remarks>
/// Options: <c>--messages N</c> per round (default 5,000), <c>--rounds R</c> (default 8), <c>--in-flight K</c> concurrent
/// publishes (default 64), <c>--uri amqp://…</c> (default <c>RABBITMQ_URI</c>). A round publishes N messages, each from
/// inside a correlation scope as a consumer or a web request would, and ends when the consumer has handled all N; the rate
/// counts consumed messages. Both buses use prefetch 32 and 16 concurrent messages, and log nothing.
/// </remarks>
internal static class RabbitMqThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var messages = Option(args, "--messages", 5_000);
        var rounds = Option(args, "--rounds", 8);
        var inFlight = Option(args, "--in-flight", 64);
        var uriText = OptionText(args, "--uri") ?? Environment.GetEnvironmentVariable("RABBITMQ_URI");
        if (string.IsNullOrEmpty(uriText))
        {
            Console.Error.WriteLine("RABBITMQ_URI is not set: eng/brokers.sh up rabbitmq && eval \"$(eng/brokers.sh env)\"");
            return 2;
        }

        var uri = new Uri(uriText);
        var plain = new Variant<PlainThroughputMessage>("without", uri, propagate: false, (i, p) => new PlainThroughputMessage(i, p));
        var correlated = new Variant<CorrelatedThroughputMessage>("with", uri, propagate: true, (i, p) => new CorrelatedThroughputMessage(i, p));
        IVariant[] variants = [plain, correlated];
        try
        {
            foreach (var variant in variants)
            {
                await variant.StartAsync();
            }

            Console.WriteLine($"MassTransit + RabbitMQ publish-and-consume: {messages:N0} messages per round, {rounds} interleaved rounds, {inFlight} publishes in flight");
            Console.WriteLine($"broker {uri.Host}:{uri.Port}; {Environment.ProcessorCount} cores; .NET {Environment.Version}; prefetch 32, concurrency 16");
            foreach (var variant in variants)
            {
                await variant.RoundAsync(Math.Min(messages, 1_000), inFlight); // warm-up: JIT, topology, connections
            }

            var rates = new[] { new List<double>(), new List<double>() };
            for (var r = 0; r < rounds; r++)
            {
                var measured = new double[2];
                for (var k = 0; k < 2; k++)
                {
                    var v = (r + k) % 2;
                    measured[v] = await variants[v].RoundAsync(messages, inFlight);
                }

                rates[0].Add(measured[0]);
                rates[1].Add(measured[1]);
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"round {r + 1,2}:  without {measured[0],8:N0} msg/s  with {measured[1],8:N0} msg/s  ratio {measured[1] / measured[0]:F3}"));
            }

            var ratios = rates[1].Zip(rates[0], (w, wo) => w / wo).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median msg/s: without {Median(rates[0]):N0}, with {Median(rates[1]):N0}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio with / without: median of rounds {Median(ratios):F3}, ratio of medians {Median(rates[1]) / Median(rates[0]):F3} (goal >= 0.98)"));
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

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static int Option(string[] args, string name, int fallback) =>
        OptionText(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string? OptionText(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private interface IVariant
    {
        Task StartAsync();

        Task<double> RoundAsync(int messages, int inFlight);

        Task StopAsync();
    }

    private sealed class Variant<T>(string name, Uri uri, bool propagate, Func<int, string, T> create) : IVariant
        where T : class
    {
        private static readonly string Payload = new('x', 256);
        private readonly string _queue = $"throughput-{name}-{Guid.NewGuid():N}";
        private IBusControl? _bus;
        private int _consumed;
        private int _target;
        private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task StartAsync()
        {
            _bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
            {
                cfg.Host(uri);
                if (propagate)
                {
                    cfg.UseCorrelationPropagation(new CorrelationPropagator(new CorrelationOptions()));
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

        public async Task<double> RoundAsync(int messages, int inFlight)
        {
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
            return messages / stopwatch.Elapsed.TotalSeconds;
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
}
