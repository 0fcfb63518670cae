using System.Globalization;
using Confluent.Kafka;
using Correlation.Messaging.Kafka;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.FaultHost;

/// <summary>
/// A Kafka group member that is meant to be killed: it consumes through the correlation helpers, commits only the records
/// below an offset in each partition, and after the expected number of records holds without committing anything more
/// until it is killed.
/// </summary>
/// <remarks>
/// Options: <c>--bootstrap</c>, <c>--topic</c>, <c>--group</c>, <c>--commit-below N</c> (commit records whose offset is
/// below N), <c>--expect N</c> (records to read before holding), <c>--session-timeout-ms</c> (default 3000).
/// Output, one line each:
/// <c>assigned &lt;partitions&gt;</c>,
/// <c>received &lt;partition&gt; &lt;offset&gt; &lt;correlation ID&gt; &lt;message ID&gt; committed|uncommitted</c> (the IDs are
/// the ambient context inside the handler), then <c>holding &lt;count&gt;</c>.
/// </remarks>
internal static class KafkaCrashConsumer
{
    public static int Run(string[] args)
    {
        var bootstrap = Option(args, "--bootstrap");
        var topic = Option(args, "--topic");
        var group = Option(args, "--group");
        var commitBelow = long.Parse(Option(args, "--commit-below"), CultureInfo.InvariantCulture);
        var expect = int.Parse(Option(args, "--expect"), CultureInfo.InvariantCulture);
        var sessionTimeout = int.Parse(Option(args, "--session-timeout-ms", "3000"), CultureInfo.InvariantCulture);

        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            SessionTimeoutMs = sessionTimeout,
            HeartbeatIntervalMs = 500,
            FetchWaitMaxMs = 50,
        };
        var propagator = new CorrelationPropagator(new CorrelationOptions());
        using var consumer = new ConsumerBuilder<string, string>(config)
            .SetPartitionsAssignedHandler((_, partitions) => Console.WriteLine("assigned " + string.Join(',', partitions.Select(p => p.Partition.Value))))
            .Build();
        consumer.Subscribe(topic);

        var received = 0;
        while (received < expect)
        {
            var result = consumer.ConsumeWithCorrelation(
                propagator,
                r =>
                {
                    var context = CorrelationContext.Current!;
                    var commit = r.Offset.Value < commitBelow;
                    Console.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"received {r.Partition.Value} {r.Offset.Value} {context.CorrelationId} {context.MessageId} {(commit ? "committed" : "uncommitted")}"));
                },
                TimeSpan.FromMilliseconds(200));
            if (result?.Message is null)
            {
                continue;
            }

            received++;
            if (result.Offset.Value < commitBelow)
            {
                consumer.Commit(result);
            }
        }

        // Processed but not committed: the state a consumer is in when it dies between handling and committing.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"holding {received}"));
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    private static string Option(string[] args, string name, string? fallback = null)
    {
        var i = Array.IndexOf(args, name);
        if (i >= 0 && i + 1 < args.Length)
        {
            return args[i + 1];
        }

        return fallback ?? throw new ArgumentException($"missing option {name}");
    }
}
