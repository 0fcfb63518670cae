using System.Text;
using Correlation.Messaging.TestSupport;
using RabbitMQ.Client;

namespace Correlation.Messaging.BrokerSmoke.Tests;

public sealed class RabbitMqSmokeTests
{
    [Fact]
    public async Task RawClient_PublishAndGet_RoundTripsBodyAndHeader()
    {
        var factory = new ConnectionFactory { Uri = BrokerEndpoints.RabbitMqUri };
        await using var connection = await factory.CreateConnectionAsync(TestContext.Current.CancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken);
        var queue = (await channel.QueueDeclareAsync($"smoke-{Guid.NewGuid():N}", durable: false, exclusive: true, autoDelete: true)).QueueName;

        var properties = new BasicProperties { Headers = new Dictionary<string, object?> { ["smoke"] = "yes" } };
        await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, Encoding.UTF8.GetBytes("hello"));

        BasicGetResult? result = null;
        await Eventually.TrueAsync(() => (result = channel.BasicGetAsync(queue, autoAck: true).GetAwaiter().GetResult()) is not null, TimeSpan.FromSeconds(10));

        result.ShouldNotBeNull();
        Encoding.UTF8.GetString(result.Body.Span).ShouldBe("hello");
        Encoding.UTF8.GetString((byte[])result.BasicProperties.Headers!["smoke"]!).ShouldBe("yes");
    }
}
