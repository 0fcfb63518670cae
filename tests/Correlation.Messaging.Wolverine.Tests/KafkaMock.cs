using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Confluent.Kafka;
using Correlation.Messaging.Kafka;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;

namespace Correlation.Messaging.Wolverine.Tests;

/// <summary>Kafka helpers: topics created through the mock cluster's control port (it has no admin API), and one consume.</summary>
public static class KafkaMock
{
    /// <summary>Creates a topic with one partition (see <see cref="KafkaMockTopics"/>).</summary>
    public static Task CreateTopicAsync(string topic) => KafkaMockTopics.TryCreateAsync(topic);

    /// <summary>Consumes the first record of <paramref name="topic"/> and returns the context its scope restored.</summary>
    public static CorrelationContext ConsumeOne(string topic, CorrelationPropagator propagator)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = BrokerEndpoints.KafkaBootstrapServers,
            GroupId = "us-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            FetchWaitMaxMs = 50,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        CorrelationContext? context = null;
        while (context is null)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, $"nothing was consumed from {topic}");
            consumer.ConsumeWithCorrelation(propagator, _ => context = CorrelationContext.Current, TimeSpan.FromMilliseconds(500));
        }

        consumer.Close();
        return context;
    }
}
