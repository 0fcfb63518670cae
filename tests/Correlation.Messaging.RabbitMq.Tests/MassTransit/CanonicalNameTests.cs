using System.Text;
using Correlation.Messaging.RabbitMq.Tests.Infrastructure;
using MassTransit;
using RabbitMQ.Client;

namespace Correlation.Messaging.RabbitMq.Tests;

/// <summary>Consumed through MassTransit's raw JSON serializer with <c>CopyHeaders</c>, in the shape of a foreign publisher.</summary>
public sealed record RawInbound(string Text);

/// <summary>What the raw consumer sends on.</summary>
public sealed record RawOnward(string Text);

/// <summary>
/// Issue 13, "case-variant names under MassTransit": with the raw JSON serializer's <c>CopyHeaders</c>, an inbound
/// <c>x-correlation-id</c> is copied onto the outgoing message; the adapter must still write <c>X-Correlation-ID</c>.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class CanonicalNameTests(RabbitMqFixture fixture)
{
    [Fact]
    public async Task Send_CopiedLowerCaseInboundHeaders_OutgoingNamesCanonical()
    {
        var inbound = fixture.NewQueueName("copy-in");
        var onward = fixture.NewQueueName("copy-out");
        await using var bus = await fixture.StartBusAsync((context, cfg) =>
            cfg.ReceiveEndpoint(inbound, e =>
            {
                e.UseRawJsonDeserializer(RawSerializerOptions.All, isDefault: true);
                e.UseRawJsonSerializer(RawSerializerOptions.All, isDefault: true);
                e.Handler<RawInbound>(async c =>
                {
                    var endpoint = await c.GetSendEndpoint(new Uri($"queue:{onward}"));
                    await endpoint.Send(new RawOnward("onward-" + c.Message.Text));
                });
            }));

        await using (var channel = await fixture.CreateChannelAsync())
        {
            var properties = new BasicProperties
            {
                MessageId = Guid.NewGuid().ToString(),
                ContentType = "application/json",
                Headers = new Dictionary<string, object?> { ["x-correlation-id"] = "lower-flow-1", ["x-causation-id"] = "lower-cause" },
            };
            await channel.BasicPublishAsync(string.Empty, inbound, true, properties, Encoding.UTF8.GetBytes("""{"text":"a"}"""));
        }

        var message = (await fixture.Management.WaitForMessagesAsync(onward)).ShouldHaveSingleItem();
        message.Header("X-Correlation-ID").ShouldBe("lower-flow-1");
        message.Headers.Keys.ShouldNotContain("x-correlation-id");
        message.Headers.Keys.ShouldNotContain("x-causation-id");
        message.Header("X-Causation-ID").ShouldNotBeNull().ShouldNotBe("lower-cause");
    }
}
