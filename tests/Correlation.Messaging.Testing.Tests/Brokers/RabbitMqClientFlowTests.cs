using System.Text;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq;
using Correlation.Messaging.TestSupport;
using RabbitMQ.Client;

namespace Correlation.Messaging.Testing.Tests.Brokers;

/// <summary>RabbitMQ.Client without MassTransit: <c>WithCorrelation(properties)</c> and <c>CorrelatingBasicConsumer</c> on the real broker.</summary>
public sealed class RabbitMqClientFlowTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OrderConsumerRepublishesLines_RecorderSeesOneFlowAndEachOutcome(bool linesThrow)
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions());
        var suffix = Guid.NewGuid().ToString("N")[..8];
        string orders = "testing-orders-raw-" + suffix, lines = "testing-lines-raw-" + suffix;
        using var flow = FlowRecorder.Start(hop => hop.Destination is null || hop.Destination == orders || hop.Destination == lines);
        var factory = new ConnectionFactory { Uri = BrokerEndpoints.RabbitMqUri };
        await using var connection = await factory.CreateConnectionAsync(TestContext.Current.CancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken);
        await channel.QueueDeclareAsync(orders, durable: false, exclusive: false, autoDelete: true, cancellationToken: TestContext.Current.CancellationToken);
        await channel.QueueDeclareAsync(lines, durable: false, exclusive: false, autoDelete: true, cancellationToken: TestContext.Current.CancellationToken);

        var orderConsumer = new CorrelatingBasicConsumer(channel, propagator);
        orderConsumer.ReceivedAsync += async (_, args) =>
        {
            for (var line = 1; line <= 2; line++)
            {
                var properties = new BasicProperties().WithCorrelation(CorrelationContext.Current!, propagator);
                await channel.BasicPublishAsync(string.Empty, lines, mandatory: false, properties, Encoding.UTF8.GetBytes("line " + line));
            }
        };
        var lineConsumer = new CorrelatingBasicConsumer(channel, propagator);
        lineConsumer.ReceivedAsync += (_, _) => linesThrow ? throw new InvalidOperationException("out of stock") : Task.CompletedTask;
        await channel.BasicConsumeAsync(orders, autoAck: true, orderConsumer, TestContext.Current.CancellationToken);
        await channel.BasicConsumeAsync(lines, autoAck: true, lineConsumer, TestContext.Current.CancellationToken);

        using (CorrelationContext.BeginScope(new CorrelationContext("order-42")))
        {
            var properties = new BasicProperties().WithCorrelation(CorrelationContext.Current!, propagator);
            await channel.BasicPublishAsync(string.Empty, orders, mandatory: false, properties, "order 42"u8.ToArray(), TestContext.Current.CancellationToken);
        }

        await flow.WaitUntilQuietAsync(FlowShape.Parse($"{orders} → {lines} ×2"), TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        flow.AssertOneCorrelationId().ShouldBe("order-42");
        flow.AssertNoNewFlowStarted();
        var handledLines = flow.Hops.Where(h => h.Kind == RecordedHopKind.Consume && h.Destination == lines).ToList();
        handledLines.Count.ShouldBe(2);
        handledLines.ShouldAllBe(h => h.Faulted == linesThrow && h.Broker == "rabbitmq");
        if (linesThrow)
        {
            flow.Describe().ShouldContain("consumed: faulted (InvalidOperationException) in ");
        }
    }
}
