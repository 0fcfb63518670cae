using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Correlation.Messaging.Kafka.Tests.Integration;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Kafka.Tests.Reliability;

/// <summary>
/// Concurrency: 10,000 messages with distinct correlation IDs, produced from parallel tasks, consumed by as many group
/// members as the topic has partitions (Kafka's unit of consumer parallelism), each member on its own thread with an
/// async handler that resumes on the thread pool. The handlers check their own IDs; zero cross-talk, zero leaked context.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class ConcurrencyTests(KafkaFixture kafka)
{
    private const int Count = 10_000;
    private const int Partitions = 16;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TenThousandDistinctIds_OneMemberPerPartition_NoCrossTalkNoLeak()
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var propagator = new CorrelationPropagator(new CorrelationOptions(), factory);
        var topic = KafkaFixture.NewTopic("concurrency");
        var group = "concurrency-" + Guid.NewGuid().ToString("N");

        // On the mock: a pre-created topic and the KIP-848 group protocol (members are assigned in well under a second).
        // On a real Kafka: the classic protocol and the partitions auto-creation gives.
        var mock = await KafkaMockControl.TryCreateTopicAsync(topic, Partitions, Ct);
        using var producer = kafka.CorrelatingProducer(propagator);
        if (!mock)
        {
            await producer.ProduceAsync(topic, new Message<string, string> { Value = "warm-up" }, Ct);
        }

        var members = mock ? Partitions : 2;
        var handled = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var crossTalk = new ConcurrentQueue<string>();
        var leaks = 0;
        var assigned = new bool[members];
        using var stop = new CancellationTokenSource();

        void Check(ConsumeResult<string, string> r, CorrelationContext? current, string when)
        {
            var header = r.Message.Headers.TryGetLastBytes(CorrelationHeaders.CorrelationId, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
            var messageId = r.Message.Headers.TryGetLastBytes(CorrelationHeaders.MessageId, out var mid) ? Encoding.UTF8.GetString(mid) : $"{r.Topic}:{r.Partition.Value}:{r.Offset.Value}";
            if (current?.CorrelationId != r.Message.Value || header != r.Message.Value || current.MessageId != messageId)
            {
                crossTalk.Enqueue($"{when} {r.TopicPartitionOffset}: value {r.Message.Value}, header {header}, context {current?.CorrelationId}/{current?.MessageId}, message ID {messageId}");
            }
        }

        void Run(int member)
        {
            var config = mock
                ? new ConsumerConfig
                {
                    BootstrapServers = kafka.BootstrapServers,
                    GroupId = group,
                    GroupProtocol = GroupProtocol.Consumer,
                    AutoOffsetReset = AutoOffsetReset.Earliest,
                    EnableAutoCommit = false,
                    EnableAutoOffsetStore = false,
                    FetchWaitMaxMs = 20,
                }
                : kafka.ConsumerConfig(group);
            using var consumer = new ConsumerBuilder<string, string>(config)
                .SetPartitionsAssignedHandler((_, partitions) => assigned[member] |= partitions.Count > 0)
                .Build();
            consumer.Subscribe(topic);
            while (!stop.IsCancellationRequested)
            {
                if (CorrelationContext.Current is not null)
                {
                    Interlocked.Increment(ref leaks);
                }

                try
                {
                    var result = consumer.ConsumeWithCorrelationAsync(
                            propagator,
                            async (r, _) =>
                            {
                                if (r.Message.Value == "warm-up")
                                {
                                    return;
                                }

                                var before = CorrelationContext.Current;
                                Check(r, before, "before await");
                                await Task.Yield(); // resume on a pool thread, among the other members' continuations
                                Check(r, CorrelationContext.Current, "after await");
                                if (!ReferenceEquals(before, CorrelationContext.Current))
                                {
                                    crossTalk.Enqueue($"{r.TopicPartitionOffset}: the context object changed across an await");
                                }

                                handled.AddOrUpdate(r.Message.Value, 1, (_, n) => n + 1);
                            },
                            stop.Token)
                        .GetAwaiter().GetResult();
                    consumer.StoreOffset(result);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
            }

            consumer.Close();
        }

        var threads = Enumerable.Range(0, members).Select(m => Task.Factory.StartNew(() => Run(m), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        var ids = Enumerable.Range(0, Count).Select(i => $"conc-{i}-{Guid.NewGuid():N}").ToArray();
        try
        {
            (await Eventually.TrueAsync(() => assigned.All(a => a), KafkaFixture.Deadline, Ct))
                .ShouldBeTrue($"only {assigned.Count(a => a)} of {members} group members got partitions");

            // Produce from parallel tasks, each message in its own ambient scope.
            Parallel.For(0, Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount * 2 }, i =>
            {
                using (CorrelationContext.BeginScope(new CorrelationContext(ids[i])))
                {
                    producer.Produce(topic, new Message<string, string> { Key = i.ToString(CultureInfo.InvariantCulture), Value = ids[i] });
                }
            });
            producer.Flush(Ct);

            (await Eventually.TrueAsync(() => handled.Count >= Count, KafkaFixture.Deadline, Ct))
                .ShouldBeTrue($"only {handled.Count} of {Count} messages were handled");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(threads);
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{Count} messages, {members} members, {handled.Values.Sum()} handler runs ({handled.Values.Count(n => n > 1)} redelivered), {crossTalk.Count} cross-talk, {leaks} leaks");
        crossTalk.Take(10).ShouldBeEmpty();
        leaks.ShouldBe(0);
        handled.Keys.Order(StringComparer.Ordinal).ShouldBe(ids.Order(StringComparer.Ordinal));
        logs.WithEventName("LeakedContextCleared").ShouldBeEmpty();
        CorrelationContext.Current.ShouldBeNull();
    }
}
