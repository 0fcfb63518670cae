using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Confluent.Kafka;
using Correlation.Messaging.Kafka;
using Correlation.Messaging.Propagation;
using static Correlation.Messaging.Throughput.HarnessArgs;

namespace Correlation.Messaging.Throughput.Kafka;

/// <summary>
/// Soak: many messages, each with its own correlation ID, through Kafka propagation end to end: produced by the
/// correlating producer inside a per-message scope (inject), consumed through <see cref="ConsumerCorrelationExtensions"/>
/// (extract and restore), and produced downstream from inside the handler (inject with causation). The managed heap is
/// measured after a forced GC before and after, and a sample of the handlers' context objects is held by
/// <see cref="WeakReference{T}"/> to prove none is retained.
/// </summary>
/// <remarks>
/// Options: <c>--messages N</c> (default 100,000), <c>--partitions P</c> (default 8), <c>--sample S</c> keep a weak
/// reference to every S-th handler context (default 100), <c>--bootstrap host:port</c> (default
/// <c>KAFKA_BOOTSTRAP_SERVERS</c>). Topics are created through <c>KAFKA_MOCK_CONTROL</c> when it is set, else by the
/// first produce. Exit code 1 when a message is lost, handled with the wrong ID, a downstream delivery fails, or a
/// sampled context survives.
/// </remarks>
internal static class KafkaSoak
{
    private const int WarmUp = 5_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var messages = Option(args, "--messages", 100_000);
        var partitions = Option(args, "--partitions", 8);
        var sampleEvery = Option(args, "--sample", 100);
        var bootstrap = OptionText(args, "--bootstrap") ?? Environment.GetEnvironmentVariable("KAFKA_BOOTSTRAP_SERVERS");
        if (string.IsNullOrEmpty(bootstrap))
        {
            Console.Error.WriteLine("KAFKA_BOOTSTRAP_SERVERS is not set: eng/brokers.sh up kafka && eval \"$(eng/brokers.sh env)\"");
            return 2;
        }

        var control = Environment.GetEnvironmentVariable("KAFKA_MOCK_CONTROL");
        var propagator = new CorrelationPropagator(new CorrelationOptions());
        Console.WriteLine($"Kafka soak: {messages:N0} messages with distinct correlation IDs over {partitions} partitions, each handled and produced downstream; weak sample 1/{sampleEvery}");
        Console.WriteLine($"bootstrap {bootstrap}{(control is null ? string.Empty : " (librdkafka mock cluster)")}; {Environment.ProcessorCount} cores; .NET {Environment.Version}; server GC {System.Runtime.GCSettings.IsServerGC}");

        var warm = await PassAsync(bootstrap, control, propagator, "soak-warm", WarmUp, partitions, sampleEvery);
        Console.WriteLine($"warm-up: {warm.Handled:N0} handled, {warm.Rate:N0} msg/s");
        var before = ForcedGcHeap();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        var pass = await PassAsync(bootstrap, control, propagator, "soak", messages, partitions, sampleEvery);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var after = ForcedGcHeap();
        var alive = pass.Sample.Count(w => w.TryGetTarget(out _));
        var lost = messages - pass.Handled;

        Console.WriteLine($"sent {messages:N0} (delivery failures {pass.ProduceFailures:N0}), handled {pass.Handled:N0} distinct, lost {lost:N0}, redelivered {pass.Redelivered:N0}, wrong ID {pass.Mismatches:N0}");
        Console.WriteLine($"downstream: produced {pass.DownstreamDelivered:N0} from inside the handlers, failures {pass.DownstreamFailures:N0}");
        Console.WriteLine($"throughput: produce + flush {pass.ProduceRate:N0} msg/s; end to end (produce + consume + handle + produce downstream, overlapped) {pass.Rate:N0} msg/s over {pass.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine($"managed heap after forced GC: before {Mb(before)}, after {Mb(after)}, delta {Mb(after - before)}; allocated during the run {Mb(allocated)} ({allocated / Math.Max(1, messages):N0} B/message, clients included)");
        Console.WriteLine($"context objects sampled {pass.Sample.Count:N0}, still alive after GC {alive:N0}");
        var ok = lost == 0 && pass.Mismatches == 0 && pass.ProduceFailures == 0 && pass.DownstreamFailures == 0
                 && pass.DownstreamDelivered == messages && alive == 0;
        Console.WriteLine(ok ? "soak: OK" : "soak: FAILED");
        return ok ? 0 : 1;
    }

    private static async Task<Pass> PassAsync(string bootstrap, string? control, CorrelationPropagator propagator, string prefix, int messages, int partitions, int sampleEvery)
    {
        var run = Guid.NewGuid().ToString("N");
        var topic = $"{prefix}-{run}";
        var downstreamTopic = topic + "-down";
        if (control is not null)
        {
            await ControlAsync(control, $"topic {topic} {partitions}");
            await ControlAsync(control, $"topic {downstreamTopic} {partitions}");
        }

        var producerConfig = new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5, BatchNumMessages = 10_000, QueueBufferingMaxMessages = 1_000_000 };
        var consumerConfig = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "soak-" + run,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            FetchWaitMaxMs = 20,
        };

        var handled = new bool[messages];
        var handledCount = 0;
        var redelivered = 0;
        var mismatches = 0;
        var produceFailures = 0;
        var downstreamDelivered = 0;
        var downstreamFailures = 0;
        var sample = new ConcurrentBag<WeakReference<CorrelationContext>>();

        using var producer = new CorrelatingProducerBuilder<string, string>(producerConfig, propagator).Build();
        using var downstream = new CorrelatingProducerBuilder<string, string>(producerConfig, propagator).Build();
        using var consumer = new ConsumerBuilder<string, string>(consumerConfig).Build();
        if (control is null)
        {
            await producer.ProduceAsync(topic, new Message<string, string> { Value = "-1" }); // auto-creates the topic
        }

        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));

        void Deliver(DeliveryReport<string, string> report)
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref downstreamFailures);
            }
            else
            {
                Interlocked.Increment(ref downstreamDelivered);
            }
        }

        void Handle(ConsumeResult<string, string> record)
        {
            var index = int.Parse(record.Message.Value, CultureInfo.InvariantCulture);
            if (index < 0)
            {
                return;
            }

            var context = CorrelationContext.Current;
            if (context is null || context.CorrelationId != $"{prefix}-{run}-{index}" || context.MessageId is null)
            {
                Interlocked.Increment(ref mismatches);
            }

            if (handled[index])
            {
                redelivered++;
            }
            else
            {
                handled[index] = true;
                handledCount++;
            }

            if (index % sampleEvery == 0 && context is not null)
            {
                sample.Add(new WeakReference<CorrelationContext>(context));
            }

            downstream.Produce(downstreamTopic, new Message<string, string> { Value = record.Message.Value }, Deliver);
        }

        var stopwatch = Stopwatch.StartNew();
        var produce = Task.Run(() =>
        {
            for (var i = 0; i < messages; i++)
            {
                using (CorrelationContext.BeginScope(new CorrelationContext($"{prefix}-{run}-{i}")))
                {
                    producer.Produce(
                        new TopicPartition(topic, i % partitions),
                        new Message<string, string> { Value = i.ToString(CultureInfo.InvariantCulture) },
                        r =>
                        {
                            if (r.Error.IsError)
                            {
                                Interlocked.Increment(ref produceFailures);
                            }
                        });
                }
            }

            producer.Flush(TimeSpan.FromMinutes(2));
            return stopwatch.Elapsed;
        });

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (handledCount < messages && DateTime.UtcNow < deadline)
        {
            consumer.ConsumeWithCorrelation(propagator, Handle, TimeSpan.FromMilliseconds(100));
        }

        var produceElapsed = await produce;
        downstream.Flush(TimeSpan.FromMinutes(2));
        var elapsed = stopwatch.Elapsed;
        consumer.Close();
        if (control is not null)
        {
            await ControlAsync(control, "delete-topic " + topic);
            await ControlAsync(control, "delete-topic " + downstreamTopic);
        }

        return new Pass(
            handledCount,
            redelivered,
            mismatches,
            produceFailures,
            downstreamDelivered,
            downstreamFailures,
            [.. sample],
            elapsed,
            messages / elapsed.TotalSeconds,
            messages / produceElapsed.TotalSeconds);
    }

    private static async Task ControlAsync(string endpoint, string command)
    {
        var colon = endpoint.LastIndexOf(':');
        using var client = new TcpClient();
        await client.ConnectAsync(endpoint[..colon], int.Parse(endpoint[(colon + 1)..], CultureInfo.InvariantCulture));
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var answer = await reader.ReadLineAsync();
        if (answer is null || !answer.StartsWith("ok", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"mock control answered '{answer}' to '{command}'");
        }
    }

    private static long ForcedGcHeap()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static string Mb(long bytes) => (bytes / 1024d / 1024d).ToString("F2", CultureInfo.InvariantCulture) + " MB";

    private sealed record Pass(
        int Handled,
        int Redelivered,
        int Mismatches,
        int ProduceFailures,
        int DownstreamDelivered,
        int DownstreamFailures,
        IReadOnlyList<WeakReference<CorrelationContext>> Sample,
        TimeSpan Elapsed,
        double Rate,
        double ProduceRate);
}
