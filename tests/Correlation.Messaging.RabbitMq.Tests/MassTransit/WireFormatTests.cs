using Correlation.Messaging.RabbitMq.Tests.Infrastructure;
using MassTransit;
using RabbitMQ.Client;

namespace Correlation.Messaging.RabbitMq.Tests;

/// <summary>
/// What MassTransit messages look like on the wire, read back by the RabbitMQ management HTTP API (a reader that is not
/// .NET): the header, the AMQP correlation_id, and who owns that property.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class WireFormatTests(RabbitMqFixture fixture)
{
    [Fact]
    public async Task Publish_ReadByManagementApi_PropertyAndHeaderCarryIdCausationAndMessageIdDistinct()
    {
        var queue = fixture.NewQueueName("wire");
        await using var bus = await fixture.StartBusAsync((_, _) => { });
        await using (var channel = await fixture.CreateChannelAsync())
        {
            // Subscribe a plain queue to MassTransit's message-type exchange, as a consumer in another language would.
            var exchange = $"{typeof(Wire).Namespace}:{nameof(Wire)}";
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true);
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            await channel.QueueBindAsync(queue, exchange, string.Empty);
        }

        var id = "wire-" + Guid.NewGuid().ToString("N");
        var causation = Guid.NewGuid().ToString();
        using (CorrelationContext.BeginScope(new CorrelationContext(id, messageId: causation)))
        {
            await bus.Bus.Publish(new Wire("hello"));
        }

        var message = (await fixture.Management.WaitForMessagesAsync(queue)).ShouldHaveSingleItem();
        message.CorrelationId.ShouldBe(id);
        message.Header("X-Correlation-ID").ShouldBe(id);
        message.Header("X-Causation-ID").ShouldBe(causation);
        message.MessageId.ShouldNotBeNull().ShouldNotBe(id);
        message.MessageId.ShouldNotBe(causation);
        message.Payload.ShouldContain("hello");
    }

    [Fact]
    public async Task CorrelatedByGuid_MassTransitOwnsProperty_HeaderStillCarriesOurId()
    {
        var queue = fixture.NewQueueName("owned");
        await using var bus = await fixture.StartBusAsync((_, _) => { });
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri($"queue:{queue}"));
        var sagaId = Guid.NewGuid();
        var id = "owned-" + Guid.NewGuid().ToString("N");

        using (CorrelationContext.BeginScope(new CorrelationContext(id)))
        {
            await endpoint.Send(new Owned(sagaId, "saga"));
        }

        var message = (await fixture.Management.WaitForMessagesAsync(queue)).ShouldHaveSingleItem();
        message.CorrelationId.ShouldBe(sagaId.ToString());
        message.Header("X-Correlation-ID").ShouldBe(id);
    }

    [Fact]
    public async Task PerCallCorrelationIdAndApplicationProperty_TheirValuesWin_HeaderStillCarriesOurId()
    {
        var queue = fixture.NewQueueName("percall");
        await using var bus = await fixture.StartBusAsync((_, _) => { });
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri($"queue:{queue}"));
        var guid = Guid.NewGuid();
        var id = "percall-" + Guid.NewGuid().ToString("N");

        using (CorrelationContext.BeginScope(new CorrelationContext(id)))
        {
            await endpoint.Send(new Wire("guid"), c => c.CorrelationId = guid);
            await endpoint.Send(new Wire("app"), c => ((RabbitMqSendContext)c).BasicProperties.CorrelationId = "app-reply-key");
        }

        var messages = await fixture.Management.WaitForMessagesAsync(queue, 2);
        messages.Count.ShouldBe(2);
        messages.Single(m => m.Payload.Contains("\"guid\"", StringComparison.Ordinal)).CorrelationId.ShouldBe(guid.ToString());
        messages.Single(m => m.Payload.Contains("\"app\"", StringComparison.Ordinal)).CorrelationId.ShouldBe("app-reply-key");
        messages.ShouldAllBe(m => m.Header("X-Correlation-ID") == id);
    }

    [Theory]
    [InlineData(255, true)]
    [InlineData(256, false)]
    [InlineData(300, false)]
    public async Task LongId_AmqpShortStringLimit_PropertyOnlyUpTo255BytesHeaderAlwaysSendSucceeds(int length, bool inProperty)
    {
        var queue = fixture.NewQueueName("long");
        await using var bus = await fixture.StartBusAsync((_, _) => { });
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri($"queue:{queue}"));
        var id = "é" + new string('x', length - 2); // 2 UTF-8 bytes + (length - 2) = length bytes

        using (CorrelationContext.BeginScope(new CorrelationContext(id)))
        {
            await endpoint.Send(new Wire("long"));
        }

        var message = (await fixture.Management.WaitForMessagesAsync(queue)).ShouldHaveSingleItem();
        message.Header("X-Correlation-ID").ShouldBe(id);
        message.CorrelationId.ShouldBe(inProperty ? id : null);
        if (!inProperty)
        {
            fixture.Logs.WithEventName("CorrelationIdPropertyTooLong").ShouldContain(l => l.Message.Contains($"{length} UTF-8 bytes", StringComparison.Ordinal));
        }
    }
}
