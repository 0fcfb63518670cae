using System.Diagnostics;
using System.Globalization;
using Correlation.Messaging.Propagation;
using MassTransit;
using static Correlation.Messaging.Throughput.HarnessArgs;

namespace Correlation.Messaging.Throughput.RabbitMq;

/// <summary>The soak's message: its index and the correlation ID the handler must see.</summary>
public sealed record SoakMessage(int Index, string ExpectedId);

/// <summary>
/// Soak: 100,000 messages published and consumed through MassTransit with <c>UseCorrelationPropagation</c> on a real
/// RabbitMQ broker. Every handler checks that the ambient context is its own message's. The managed heap is measured after
/// a forced full GC before and after the run, and a sample of the correlation contexts (producer and consumer side) is
/// held through weak references: after the run, none may still be alive.
/// </summary>
/// <remarks>
/// Options: <c>--messages N</c> (default 100,000), <c>--in-flight K</c> concurrent publishes (default 64),
/// <c>--sample-every S</c> (default 1,000), <c>--uri amqp://…</c> (default <c>RABBITMQ_URI</c>), <c>--no-propagation</c>
/// (the same run without <c>UseCorrelationPropagation</c>: the baseline for the heap figures). Exit code 1 when a handler
/// saw a wrong ID, a message was lost, or a sampled context survived.
/// </remarks>
internal static class RabbitMqSoak
{
    private const int WarmUp = 2_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var messages = Option(args, "--messages", 100_000);
        var inFlight = Option(args, "--in-flight", 64);
        var sampleEvery = Option(args, "--sample-every", 1_000);
        var propagate = !args.Contains("--no-propagation");
        var uriText = OptionText(args, "--uri") ?? Environment.GetEnvironmentVariable("RABBITMQ_URI");
        if (string.IsNullOrEmpty(uriText))
        {
            Console.Error.WriteLine("RABBITMQ_URI is not set: eng/brokers.sh up rabbitmq && eval \"$(eng/brokers.sh env)\"");
            return 2;
        }

        var uri = new Uri(uriText);
        var queue = $"soak-{Guid.NewGuid():N}";
        var state = new SoakState(sampleEvery, propagate, WarmUp + messages); // allocated before the first heap figure
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(uri);
            if (propagate)
            {
                cfg.UseCorrelationPropagation(new CorrelationPropagator(new CorrelationOptions()));
            }

            cfg.ReceiveEndpoint(queue, e =>
            {
                e.AutoDelete = true;
                e.Durable = false;
                e.PrefetchCount = 64;
                e.ConcurrentMessageLimit = 32;
                e.Handler<SoakMessage>(c =>
                {
                    state.Handled(c.Message, CorrelationContext.Current);
                    return Task.CompletedTask;
                });
            });
        });
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await bus.StartAsync(cts.Token);
        }

        try
        {
            Console.WriteLine($"MassTransit + RabbitMQ soak: {messages:N0} messages {(propagate ? "through UseCorrelationPropagation" : "WITHOUT propagation (baseline)")}, {inFlight} publishes in flight, prefetch 64, concurrency 32");
            Console.WriteLine($"broker {uri.Host}:{uri.Port}; {Environment.ProcessorCount} cores; .NET {Environment.Version}; server GC {System.Runtime.GCSettings.IsServerGC}");

            // Warm-up (JIT, topology, connection pools), not sampled.
            await PublishAsync(bus, state, 0, WarmUp, inFlight, sample: false);
            await state.WaitForAsync(WarmUp);
            var heapBefore = ForcedGcHeap();

            var stopwatch = Stopwatch.StartNew();
            await PublishAsync(bus, state, WarmUp, messages, inFlight, sample: true);
            var published = stopwatch.Elapsed;
            var complete = await state.WaitForAsync(WarmUp + messages);
            var elapsed = stopwatch.Elapsed;

            var heapAfter = ForcedGcHeap();
            var (producerAlive, consumerAlive) = state.Alive();
            var ambientAfter = CorrelationContext.Current;

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"published {messages:N0} in {published.TotalSeconds:F1} s; consumed {state.Count - WarmUp:N0} in {elapsed.TotalSeconds:F1} s: {(state.Count - WarmUp) / elapsed.TotalSeconds:N0} msg/s"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrong IDs seen by handlers: {state.Mismatches}; duplicates: {state.Duplicates}; lost: {WarmUp + messages - state.Distinct}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"managed heap after forced GC: before {heapBefore / 1024.0:N0} KiB, after {heapAfter / 1024.0:N0} KiB, delta {(heapAfter - heapBefore) / 1024.0:+#,0;-#,0;0} KiB ({(heapAfter - heapBefore) / (double)messages:F2} bytes per message)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sampled contexts still alive after the run: producer {producerAlive} of {state.ProducerSamples}, consumer {consumerAlive} of {state.ConsumerSamples}; ambient context afterwards: {(ambientAfter is null ? "none" : ambientAfter.CorrelationId)}"));

            var ok = complete && state.Mismatches == 0 && producerAlive == 0 && consumerAlive == 0 && ambientAfter is null;
            Console.WriteLine(ok ? "soak: PASS" : "soak: FAIL");
            return ok ? 0 : 1;
        }
        finally
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await bus.StopAsync(cts.Token);
        }
    }

    private static async Task PublishAsync(IBus bus, SoakState state, int from, int count, int inFlight, bool sample)
    {
        var next = from - 1;
        var end = from + count;
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < end)
            {
                await PublishOneAsync(bus, state, i, sample);
            }
        }));
    }

    /// <summary>Publishes one message from inside its own correlation scope, as a request handler would.</summary>
    private static async Task PublishOneAsync(IBus bus, SoakState state, int i, bool sample)
    {
        var context = new CorrelationContext(string.Create(CultureInfo.InvariantCulture, $"soak-{i:D7}-{Guid.NewGuid():N}"));
        if (sample)
        {
            state.SampleProducer(i, context);
        }

        using var scope = CorrelationContext.BeginScope(context);
        await bus.Publish(new SoakMessage(i, context.CorrelationId));
    }

    private static long ForcedGcHeap()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>What the handlers saw, and the weakly held sample of contexts.</summary>
    private sealed class SoakState(int sampleEvery, bool propagate, int total)
    {
        private readonly int[] _seen = new int[total];
        private readonly System.Collections.Concurrent.ConcurrentBag<WeakReference<CorrelationContext>> _producer = [];
        private readonly System.Collections.Concurrent.ConcurrentBag<WeakReference<CorrelationContext>> _consumer = [];
        private int _count;
        private int _mismatches;
        private int _duplicates;
        private int _distinct;

        public int Count => Volatile.Read(ref _count);

        public int Distinct => Volatile.Read(ref _distinct);

        public int Mismatches => Volatile.Read(ref _mismatches);

        public int Duplicates => Volatile.Read(ref _duplicates);

        public int ProducerSamples => _producer.Count;

        public int ConsumerSamples => _consumer.Count;

        public void SampleProducer(int index, CorrelationContext context)
        {
            if (index % sampleEvery == 0)
            {
                _producer.Add(new WeakReference<CorrelationContext>(context));
            }
        }

        public void Handled(SoakMessage message, CorrelationContext? ambient)
        {
            if (propagate && ambient?.CorrelationId != message.ExpectedId)
            {
                Interlocked.Increment(ref _mismatches);
            }

            if (Interlocked.Increment(ref _seen[message.Index]) == 1)
            {
                Interlocked.Increment(ref _distinct);
            }
            else
            {
                Interlocked.Increment(ref _duplicates);
            }

            if (message.Index >= WarmUp && message.Index % sampleEvery == 0 && ambient is not null)
            {
                _consumer.Add(new WeakReference<CorrelationContext>(ambient));
            }

            Interlocked.Increment(ref _count);
        }

        public async Task<bool> WaitForAsync(int distinct)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
            while (Distinct < distinct && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            return Distinct >= distinct;
        }

        public (int Producer, int Consumer) Alive() =>
            (_producer.Count(w => w.TryGetTarget(out _)), _consumer.Count(w => w.TryGetTarget(out _)));
    }
}
