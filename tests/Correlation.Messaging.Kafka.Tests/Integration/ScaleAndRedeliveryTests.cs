using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Kafka.Tests.Integration;

[Collection(KafkaCollection.Name)]
public sealed class ScaleAndRedeliveryTests(KafkaFixture kafka)
{
    private const string WarmUp = "warm-up";

    [Fact]
    public async Task TwoConsumersOneGroupFourPartitions_5000DistinctIds_NoCrossTalkNoLeak()
    {
        const int count = 5_000;
        using var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var propagator = new CorrelationPropagator(new CorrelationOptions(), factory);
        var logger = factory.CreateLogger("handler");
        var topic = KafkaFixture.NewTopic("scale");
        using var producer = kafka.CorrelatingProducer(propagator);
        if (!await kafka.TryCreateTopicAsync(topic, 4))
        {
            await producer.ProduceAsync(topic, new Message<string, string> { Value = WarmUp }, TestContext.Current.CancellationToken);
        }

        var handled = new ConcurrentDictionary<string, int>();
        var crossTalk = new ConcurrentQueue<string>();
        var leaks = 0;
        var assigned = new bool[2];
        using var stop = new CancellationTokenSource();

        void Run(int member)
        {
            using var consumer = kafka.Consumer(topic);
            consumer.Subscribe(topic);
            while (!stop.IsCancellationRequested)
            {
                if (CorrelationContext.Current is not null)
                {
                    Interlocked.Increment(ref leaks);
                }

                consumer.ConsumeWithCorrelation(
                    propagator,
                    r =>
                    {
                        if (r.Message.Value == WarmUp)
                        {
                            return;
                        }

                        var current = CorrelationContext.Current;
                        var header = Encoding.UTF8.GetString(r.Message.Headers.GetLastBytes(CorrelationHeaders.CorrelationId));
                        if (current?.CorrelationId != r.Message.Value || header != r.Message.Value)
                        {
                            crossTalk.Enqueue($"{r.TopicPartitionOffset}: value {r.Message.Value}, context {current?.CorrelationId}, header {header}");
                        }

                        logger.LogInformation("handled {Value}", r.Message.Value);
                        handled.AddOrUpdate(r.Message.Value, member, (_, m) => m);
                    },
                    TimeSpan.FromMilliseconds(100));
                assigned[member] = consumer.Assignment.Count > 0;
            }

            consumer.Close();
        }

        var members = new[] { Task.Factory.StartNew(() => Run(0), TaskCreationOptions.LongRunning), Task.Factory.StartNew(() => Run(1), TaskCreationOptions.LongRunning) };
        try
        {
            (await Eventually.TrueAsync(() => assigned[0] && assigned[1], KafkaFixture.Deadline, TestContext.Current.CancellationToken))
                .ShouldBeTrue("both group members should get partitions");

            var ids = Enumerable.Range(0, count).Select(i => $"scale-{i}-{Guid.NewGuid():N}").ToArray();
            for (var i = 0; i < count; i++)
            {
                using (CorrelationContext.BeginScope(new CorrelationContext(ids[i])))
                {
                    producer.Produce(topic, new Message<string, string> { Key = i.ToString(System.Globalization.CultureInfo.InvariantCulture), Value = ids[i] });
                }
            }

            producer.Flush(TestContext.Current.CancellationToken);
            (await Eventually.TrueAsync(() => handled.Count >= count, KafkaFixture.Deadline, TestContext.Current.CancellationToken))
                .ShouldBeTrue($"only {handled.Count} of {count} messages were handled");

            handled.Keys.Order(StringComparer.Ordinal).ShouldBe(ids.Order(StringComparer.Ordinal));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(members);
        }

        crossTalk.ShouldBeEmpty();
        leaks.ShouldBe(0);
        handled.Values.Distinct().Count().ShouldBe(2, "both members should handle messages");
        var handlerLines = logs.Logs.Where(l => l.Category == "handler").ToList();
        handlerLines.Count.ShouldBeGreaterThanOrEqualTo(count);
        handlerLines.ShouldAllBe(l => l.Message == "handled " + l.CorrelationId);
        logs.WithEventName("LeakedContextCleared").ShouldBeEmpty();
    }

    [Fact]
    public async Task ConsumerClosesWithoutCommit_NextMemberRereadsSameIds()
    {
        const int count = 10;
        var propagator = new CorrelationPropagator(new CorrelationOptions());
        var topic = KafkaFixture.NewTopic("redelivery");
        using (var producer = kafka.CorrelatingProducer(propagator))
        {
            for (var i = 0; i < count; i++)
            {
                using (CorrelationContext.BeginScope(new CorrelationContext($"redeliver-{i}")))
                {
                    producer.Produce(new TopicPartition(topic, 0), new Message<string, string> { Value = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                }
            }

            producer.Flush(TestContext.Current.CancellationToken);
        }

        List<(string Correlation, string Message)> ReadAll(bool commit)
        {
            var seen = new List<(string, string)>();
            using var consumer = kafka.Consumer(topic);
            consumer.Subscribe(topic);
            KafkaFixture.Until(
                () => seen.Count >= count,
                () => consumer.ConsumeWithCorrelation(propagator, _ => seen.Add((CorrelationContext.Current!.CorrelationId, CorrelationContext.Current.MessageId!)), TimeSpan.FromMilliseconds(200)),
                $"only {seen.Count} of {count} messages were read");
            if (commit)
            {
                consumer.Commit();
            }

            consumer.Close();
            return seen;
        }

        var first = ReadAll(commit: false);
        var second = ReadAll(commit: false);

        first.Select(s => s.Correlation).ShouldBe(Enumerable.Range(0, count).Select(i => $"redeliver-{i}"));
        second.ShouldBe(first);
        first.Select(s => s.Message).Distinct().Count().ShouldBe(count);
    }
}
