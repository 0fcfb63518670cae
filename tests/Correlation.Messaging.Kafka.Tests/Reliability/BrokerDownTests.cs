using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Correlation.Messaging.Kafka.Tests.Integration;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Kafka.Tests.Reliability;

/// <summary>
/// Fault: a broker of the mock cluster is taken down (control port <c>down</c>, i.e. <c>rd_kafka_mock_broker_set_down</c>)
/// while the idempotent correlating producer produces, and brought back up. Every message is delivered once, and every
/// delivered record carries the IDs it was produced with.
/// </summary>
/// <remarks>
/// Needs the mock's control port. Without it (a real Kafka from docker compose) the test skips with an explanation,
/// except with <c>CI=true</c> when <c>eng/brokers.sh</c> runs Kafka natively: then the port must be there and the test fails.
/// </remarks>
[Collection(KafkaCollection.Name)]
[Trait("Requires", "kafka-mock-control")]
public sealed class BrokerDownTests(KafkaFixture kafka)
{
    private const int Count = 1_000;
    private const int Partitions = 3;
    private const int PerPause = 10;
    private const int DownAt = 300;
    private const int UpAt = 700;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LeaderDownWhileIdempotentProducerProduces_EveryMessageDeliveredOnceWithItsIds()
    {
        var control = KafkaMockControl.Require("taking a broker down");
        var propagator = new CorrelationPropagator(new CorrelationOptions());
        var topic = KafkaFixture.NewTopic("broker-down");
        await KafkaMockControl.SendAsync(control, string.Create(CultureInfo.InvariantCulture, $"topic {topic} {Partitions}"), Ct);

        var errors = new ConcurrentQueue<Error>();
        var logs = new ConcurrentQueue<LogMessage>();
        var config = new ProducerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            MessageTimeoutMs = 60_000,
            RetryBackoffMs = 50,
            ReconnectBackoffMs = 50,
            ReconnectBackoffMaxMs = 500,
        };
        var ids = Enumerable.Range(0, Count).Select(i => $"down-{i}-{Guid.NewGuid():N}").ToArray();
        var reports = new ConcurrentDictionary<int, DeliveryReport<string, string>>();
        var reportCount = 0;
        var deliveredAt = new long[Count];
        var upAt = long.MaxValue;
        int leader;
        int[] ledByLeader;
        using (var producer = new CorrelatingProducerBuilder<string, string>(config, propagator).SetErrorHandler((_, e) => errors.Enqueue(e)).SetLogHandler((_, m) => logs.Enqueue(m)).Build())
        {
            using (var admin = new DependentAdminClientBuilder(producer.Handle).Build())
            {
                var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions;
                leader = partitions.Single(p => p.PartitionId == 0).Leader;
                ledByLeader = [.. partitions.Where(p => p.Leader == leader).Select(p => p.PartitionId)];
            }

            var down = false;
            try
            {
                for (var i = 0; i < Count; i++)
                {
                    if (i == DownAt)
                    {
                        down = true;
                        await KafkaMockControl.SendAsync(control, $"down {leader}", Ct);
                    }

                    if (i == UpAt)
                    {
                        await KafkaMockControl.SendAsync(control, $"up {leader}", Ct);
                        down = false;
                        Volatile.Write(ref upAt, Stopwatch.GetTimestamp());
                    }

                    var key = i.ToString(CultureInfo.InvariantCulture);
                    using (CorrelationContext.BeginScope(new CorrelationContext(ids[i])))
                    {
                        producer.Produce(
                            new TopicPartition(topic, i % Partitions),
                            new Message<string, string> { Key = key, Value = ids[i] },
                            report =>
                            {
                                deliveredAt[int.Parse(report.Message.Key, CultureInfo.InvariantCulture)] = Stopwatch.GetTimestamp();
                                reports.AddOrUpdate(int.Parse(report.Message.Key, CultureInfo.InvariantCulture), report, (_, _) => report);
                                Interlocked.Increment(ref reportCount);
                            });
                    }

                    if (i % PerPause == PerPause - 1)
                    {
                        await Task.Delay(40, Ct); // about 4 s of producing, the leader down for about 1.6 s of it
                    }
                }
            }
            finally
            {
                if (down)
                {
                    // Never leave the shared mock cluster with a broker down.
                    await KafkaMockControl.SendAsync(control, $"up {leader}", CancellationToken.None);
                }
            }

            producer.Flush(Ct);
        }

        // The fault hit the producer: it lost its connection to the leader, and messages for the leader's partitions
        // produced while it was down were delivered only after it came back (held and retried, not dropped).
        var heldBack = Enumerable.Range(DownAt, UpAt - DownAt).Count(i => ledByLeader.Contains(i % Partitions) && deliveredAt[i] > upAt);
        var disconnects = logs.Count(l => l.Message.Contains($"/{leader}: Disconnected", StringComparison.Ordinal));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"broker {leader} (leader of partitions {string.Join(',', ledByLeader)}) down from message {DownAt} to {UpAt}: " +
            $"{disconnects} disconnect(s), {heldBack} message(s) held until it was up, {errors.Count} producer error(s) ({string.Join("; ", errors.Select(e => e.Code).Distinct())})");
        disconnects.ShouldBeGreaterThan(0, "the producer should have lost its connection to the broker taken down (else this test proves nothing)");
        heldBack.ShouldBeGreaterThan(0, "messages for the downed leader should wait for it (else this test proves nothing)");
        errors.ShouldAllBe(e => !e.IsFatal);

        // Every message is reported exactly once and delivered (the down time is far below message.timeout.ms).
        reportCount.ShouldBe(Count);
        var failed = reports.Values.Where(r => r.Error.IsError).Select(r => $"{r.Message.Key}: {r.Error}").ToList();
        failed.ShouldBeEmpty();

        // Read everything back through the package: each record once, with the IDs its delivery report carries.
        var seen = new Dictionary<int, List<(string Correlation, string MessageId, long Offset)>>();
        var eof = new HashSet<int>();
        var consumerConfig = kafka.ConsumerConfig("verify-" + Guid.NewGuid().ToString("N"));
        consumerConfig.EnablePartitionEof = true;
        using (var consumer = new ConsumerBuilder<string, string>(consumerConfig).Build())
        {
            consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
            KafkaFixture.Until(
                () => eof.Count == Partitions,
                () =>
                {
                    var result = consumer.ConsumeWithCorrelation(
                        propagator,
                        r =>
                        {
                            var key = int.Parse(r.Message.Key, CultureInfo.InvariantCulture);
                            var context = CorrelationContext.Current!;
                            if (!seen.TryGetValue(key, out var list))
                            {
                                seen[key] = list = [];
                            }

                            list.Add((context.CorrelationId, context.MessageId!, r.Offset.Value));
                        },
                        TimeSpan.FromMilliseconds(200));
                    if (result is { IsPartitionEOF: true })
                    {
                        eof.Add(result.Partition.Value);
                    }
                },
                $"read {seen.Count} of {Count} records before the end of every partition");
            consumer.Close();
        }

        var duplicates = seen.Where(s => s.Value.Count > 1).Select(s => $"{s.Key}: {string.Join(", ", s.Value)}").ToList();
        duplicates.ShouldBeEmpty("the idempotent producer must not write a message twice");
        seen.Count.ShouldBe(Count);
        for (var i = 0; i < Count; i++)
        {
            var record = seen[i].Single();
            var report = reports[i];
            record.Correlation.ShouldBe(ids[i], $"message {i}");
            record.MessageId.ShouldBe($"{report.Topic}:{report.Partition.Value}:{report.Offset.Value}", $"message {i}: a record's ID is topic:partition:offset");
            record.Offset.ShouldBe(report.Offset.Value, $"message {i}");
        }
    }
}
