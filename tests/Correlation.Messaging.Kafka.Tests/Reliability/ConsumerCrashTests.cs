using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Correlation.Messaging.Kafka.Tests.Integration;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;

namespace Correlation.Messaging.Kafka.Tests.Reliability;

/// <summary>
/// Fault: a Kafka consumer process is killed (SIGKILL) after handling records it has not committed. Its successor in the
/// same group re-reads exactly the uncommitted records, with the same correlation and message IDs.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class ConsumerCrashTests(KafkaFixture kafka)
{
    private const int Partitions = 3;
    private const int PerPartition = 20;
    private const int CommitBelow = 5;
    private const int SessionTimeoutMs = 3_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>What a consumer saw of one record.</summary>
    private sealed record Seen(int Partition, long Offset, string CorrelationId, string MessageId);

    [Fact]
    public async Task ConsumerProcessKilledBeforeCommit_SuccessorRereadsUncommittedWithSameIds()
    {
        const int count = Partitions * PerPartition;
        var propagator = new CorrelationPropagator(new CorrelationOptions());
        var topic = KafkaFixture.NewTopic("crash");
        var group = "crash-" + Guid.NewGuid().ToString("N");
        await KafkaMockControl.TryCreateTopicAsync(topic, Partitions, Ct);

        // Produce through the package: each record in its own correlation scope, so each has its own ID and message ID.
        var produced = new Dictionary<(int, long), Seen>();
        using (var producer = kafka.CorrelatingProducer(propagator))
        {
            for (var i = 0; i < count; i++)
            {
                var id = $"crash-{i}-{Guid.NewGuid():N}";
                using (CorrelationContext.BeginScope(new CorrelationContext(id)))
                {
                    var delivered = await producer.ProduceAsync(new TopicPartition(topic, i % Partitions), new Message<string, string> { Value = id }, Ct);
                    var messageId = $"{delivered.Topic}:{delivered.Partition.Value}:{delivered.Offset.Value}";
                    produced.Add((delivered.Partition.Value, delivered.Offset.Value), new Seen(delivered.Partition.Value, delivered.Offset.Value, id, messageId));
                }
            }
        }

        // The first consumer: a separate process that commits offsets below CommitBelow, handles the rest, and holds.
        List<Seen> crashed;
        using (var host = FaultHostProcess.Start(
                   "kafka-consume",
                   "--bootstrap", kafka.BootstrapServers,
                   "--topic", topic,
                   "--group", group,
                   "--commit-below", CommitBelow.ToString(CultureInfo.InvariantCulture),
                   "--expect", count.ToString(CultureInfo.InvariantCulture),
                   "--session-timeout-ms", SessionTimeoutMs.ToString(CultureInfo.InvariantCulture)))
        {
            await host.WaitForLineAsync(l => l.StartsWith("holding ", StringComparison.Ordinal), KafkaFixture.Deadline, Ct);
            host.KillAndWait();
            host.ExitCode.ShouldBe(137, "the consumer process should die of SIGKILL (128 + 9)");
            crashed = [.. host.Lines.Where(l => l.StartsWith("received ", StringComparison.Ordinal)).Select(Parse)];
        }

        // It handled every record, each in the context of its own IDs.
        crashed.Count.ShouldBe(count);
        crashed.OrderBy(s => s.Partition).ThenBy(s => s.Offset).ShouldBe(produced.Values.OrderBy(s => s.Partition).ThenBy(s => s.Offset));

        // The successor joins the same group: it starts at the committed offsets and re-reads the rest.
        var expected = crashed.Where(s => s.Offset >= CommitBelow).OrderBy(s => s.Partition).ThenBy(s => s.Offset).ToList();
        var reread = new List<Seen>();
        var config = kafka.ConsumerConfig(group);
        config.SessionTimeoutMs = SessionTimeoutMs;
        using (var successor = new ConsumerBuilder<string, string>(config).Build())
        {
            successor.Subscribe(topic);
            KafkaFixture.Until(
                () => reread.Count >= expected.Count,
                () =>
                {
                    var result = successor.ConsumeWithCorrelation(
                        propagator,
                        r => reread.Add(new Seen(r.Partition.Value, r.Offset.Value, CorrelationContext.Current!.CorrelationId, CorrelationContext.Current.MessageId!)),
                        TimeSpan.FromMilliseconds(100));
                    if (result?.Message is not null)
                    {
                        successor.Commit(result);
                    }
                },
                $"the successor re-read {reread.Count} of {expected.Count} uncommitted records");
            successor.Close();
        }

        reread.OrderBy(s => s.Partition).ThenBy(s => s.Offset).ToList().ShouldBe(expected, "the successor re-reads exactly the uncommitted records, with the same IDs");
        reread.Select(s => s.CorrelationId).Distinct().Count().ShouldBe(expected.Count);
        CorrelationContext.Current.ShouldBeNull();
    }

    private static Seen Parse(string line)
    {
        // received <partition> <offset> <correlation ID> <message ID> committed|uncommitted
        var parts = line.Split(' ');
        parts.Length.ShouldBe(6, line);
        parts[5].ShouldBe(long.Parse(parts[2], CultureInfo.InvariantCulture) < CommitBelow ? "committed" : "uncommitted", line);
        return new Seen(int.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture), parts[3], parts[4]);
    }
}
