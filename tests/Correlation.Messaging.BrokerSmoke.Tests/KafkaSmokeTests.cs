using System.Text;
using Confluent.Kafka;
using Correlation.Messaging.TestSupport;

namespace Correlation.Messaging.BrokerSmoke.Tests;

public sealed class KafkaSmokeTests
{
    [Fact]
    public async Task RawClient_ProduceAndSubscribe_RoundTripsValueAndHeader()
    {
        var bootstrap = BrokerEndpoints.KafkaBootstrapServers;
        var topic = $"smoke-{Guid.NewGuid():N}";

        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = bootstrap }).Build())
        {
            var headers = new Headers { { "smoke", Encoding.UTF8.GetBytes("yes") } };
            var delivery = await producer.ProduceAsync(topic, new Message<Null, string> { Value = "hello", Headers = headers }, TestContext.Current.CancellationToken);
            delivery.Status.ShouldBe(PersistenceStatus.Persisted);
        }

        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = topic,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);

        ConsumeResult<Ignore, string>? result = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (result is null && DateTime.UtcNow < deadline)
        {
            result = consumer.Consume(TimeSpan.FromMilliseconds(500));
        }

        consumer.Close();
        result.ShouldNotBeNull("no message consumed within 30 s");
        result.Message.Value.ShouldBe("hello");
        Encoding.UTF8.GetString(result.Message.Headers.GetLastBytes("smoke")).ShouldBe("yes");
    }
}
