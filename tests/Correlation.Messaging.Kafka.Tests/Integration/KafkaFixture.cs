using System.Net.Sockets;
using System.Text;
using Confluent.Kafka;
using Correlation.Messaging.TestSupport;

namespace Correlation.Messaging.Kafka.Tests.Integration;

[CollectionDefinition(Name)]
public sealed class KafkaCollection : ICollectionFixture<KafkaFixture>
{
    public const string Name = "kafka";
}

/// <summary>
/// The broker from <c>eng/brokers.sh</c> (librdkafka's mock cluster) or a real Kafka from docker compose. Uses no admin
/// API: topics are created by producing (auto-create), or through the mock's control port when there is one.
/// </summary>
public sealed class KafkaFixture
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    public string BootstrapServers => BrokerEndpoints.KafkaBootstrapServers;

    public static string NewTopic(string prefix) => $"corr-{prefix}-{Guid.NewGuid():N}";

    public ProducerConfig ProducerConfig() => new()
    {
        BootstrapServers = BootstrapServers,
        LingerMs = 5,
        MessageTimeoutMs = 30_000,
    };

    /// <summary>At-least-once settings: nothing is stored or committed unless the test does it; short group timings for the mock.</summary>
    public ConsumerConfig ConsumerConfig(string groupId) => new()
    {
        BootstrapServers = BootstrapServers,
        GroupId = groupId,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        SessionTimeoutMs = 6_000,
        HeartbeatIntervalMs = 500,
        TopicMetadataRefreshIntervalMs = 1_000,
        FetchWaitMaxMs = 50,
    };

    public IProducer<string, string> RawProducer() => new ProducerBuilder<string, string>(ProducerConfig()).Build();

    public IProducer<string, string> CorrelatingProducer(Propagation.CorrelationPropagator propagator) =>
        new CorrelatingProducerBuilder<string, string>(ProducerConfig(), propagator).Build();

    public IConsumer<string, string> Consumer(string groupId) => new ConsumerBuilder<string, string>(ConsumerConfig(groupId)).Build();

    /// <summary>A consumer reading partition 0 of <paramref name="topic"/> from the beginning, without a group join.</summary>
    public IConsumer<string, string> AssignedConsumer(string topic)
    {
        var consumer = Consumer("assign-" + Guid.NewGuid().ToString("N"));
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        return consumer;
    }

    /// <summary>
    /// Creates an empty topic through the mock's control port. Against a real Kafka (no control port) it returns
    /// <see langword="false"/> and the topic is auto-created by the first produce.
    /// </summary>
    public Task<bool> TryCreateTopicAsync(string topic, int partitions) => KafkaMockTopics.TryCreateAsync(topic, partitions);

    /// <summary>Runs <paramref name="step"/> until <paramref name="done"/> or the deadline; fails with <paramref name="what"/> on timeout.</summary>
    public static void Until(Func<bool> done, Action step, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!done())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {Deadline.TotalSeconds} s: {what}");
            }

            step();
        }
    }
}
