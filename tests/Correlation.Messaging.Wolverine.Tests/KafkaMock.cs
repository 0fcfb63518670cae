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
    public static async Task CreateTopicAsync(string topic)
    {
        var control = BrokerEndpoints.KafkaMockControl;
        if (control is null)
        {
            return;
        }

        var colon = control.LastIndexOf(':');
        using var client = new TcpClient();
        await client.ConnectAsync(control[..colon], int.Parse(control[(colon + 1)..], CultureInfo.InvariantCulture));
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"topic {topic} 1\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        (await reader.ReadLineAsync()).ShouldNotBeNull().ShouldStartWith("ok");
    }

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
