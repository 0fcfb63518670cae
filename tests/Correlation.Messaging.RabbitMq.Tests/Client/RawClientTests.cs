using System.Collections.Concurrent;
using System.Text;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq.Tests.Infrastructure;
using Correlation.Messaging.TestSupport;
using RabbitMQ.Client;

namespace Correlation.Messaging.RabbitMq.Tests;

/// <summary>The RabbitMQ.Client helpers on a real broker: <c>WithCorrelation</c> and <see cref="CorrelatingBasicConsumer"/>.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class RawClientTests(RabbitMqFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task WithCorrelation_InsideHandlerScope_HeaderCausationAndPropertyOnTheWire()
    {
        await using var channel = await fixture.CreateChannelAsync();
        var queue = await DeclareQueueAsync(channel, "raw-pub");
        var id = "raw-" + Guid.NewGuid().ToString("N");
        var handling = Guid.NewGuid().ToString();

        using (CorrelationContext.BeginScope(new CorrelationContext(id, messageId: handling)))
        {
            await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, new BasicProperties { MessageId = "m-1" }.WithCorrelation(), "x"u8.ToArray());
        }

        var result = await GetAsync(channel, queue);
        result.BasicProperties.CorrelationId.ShouldBe(id);
        Encoding.UTF8.GetString((byte[])result.BasicProperties.Headers!["X-Correlation-ID"]!).ShouldBe(id);
        Encoding.UTF8.GetString((byte[])result.BasicProperties.Headers!["X-Causation-ID"]!).ShouldBe(handling);
        result.BasicProperties.MessageId.ShouldBe("m-1");
    }

    [Fact]
    public async Task WithCorrelation_PropertyAlreadySetOrIdTooLong_PropertyKeptHeaderWritten()
    {
        await using var channel = await fixture.CreateChannelAsync();
        var queue = await DeclareQueueAsync(channel, "raw-own");
        var id = "raw-" + Guid.NewGuid().ToString("N");
        var longId = new string('l', 256);

        using (CorrelationContext.BeginScope(new CorrelationContext(id)))
        {
            await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, new BasicProperties { CorrelationId = "reply-key" }.WithCorrelation(), "1"u8.ToArray());
        }

        using (CorrelationContext.BeginScope(new CorrelationContext(longId)))
        {
            await channel.BasicPublishWithCorrelationAsync(string.Empty, queue, "2"u8.ToArray(), mandatory: true);
        }

        var owned = await GetAsync(channel, queue);
        owned.BasicProperties.CorrelationId.ShouldBe("reply-key");
        Encoding.UTF8.GetString((byte[])owned.BasicProperties.Headers!["X-Correlation-ID"]!).ShouldBe(id);
        var tooLong = await GetAsync(channel, queue);
        tooLong.BasicProperties.IsCorrelationIdPresent().ShouldBeFalse();
        Encoding.UTF8.GetString((byte[])tooLong.BasicProperties.Headers!["X-Correlation-ID"]!).ShouldBe(longId);
    }

    [Fact]
    public async Task CorrelatingBasicConsumer_HeaderNativeAndNone_EachHandlerSeesItsOwnContextClearedAfter()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions(), fixture.LoggerFactory);
        await using var channel = await fixture.CreateChannelAsync();
        var queue = await DeclareQueueAsync(channel, "raw-consume");
        var seen = new ConcurrentQueue<(string Body, CorrelationContext? Context)>();
        var consumer = new CorrelatingBasicConsumer(channel, propagator);
        consumer.ReceivedAsync += async (_, args) =>
        {
            seen.Enqueue((Encoding.UTF8.GetString(args.Body.Span), CorrelationContext.Current));
            await ((CorrelatingBasicConsumer)_!).Channel.BasicAckAsync(args.DeliveryTag, multiple: false);
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer);

        var headerId = "hdr-" + Guid.NewGuid().ToString("N");
        var nativeId = "native-" + Guid.NewGuid().ToString("N");
        await channel.BasicPublishAsync(string.Empty, queue, true, new BasicProperties { MessageId = "msg-1", Headers = new Dictionary<string, object?> { ["X-Correlation-ID"] = headerId, ["X-Causation-ID"] = "cause-0" } }, "header"u8.ToArray());
        await channel.BasicPublishAsync(string.Empty, queue, true, new BasicProperties { CorrelationId = nativeId }, "native"u8.ToArray());
        await channel.BasicPublishAsync(string.Empty, queue, true, new BasicProperties(), "none"u8.ToArray());

        (await Eventually.TrueAsync(() => seen.Count == 3, Wait)).ShouldBeTrue();
        var byBody = seen.ToDictionary(s => s.Body, s => s.Context);
        byBody["header"].ShouldNotBeNull().CorrelationId.ShouldBe(headerId);
        byBody["header"]!.CausationId.ShouldBe("cause-0");
        byBody["header"]!.MessageId.ShouldBe("msg-1");
        byBody["native"].ShouldNotBeNull().CorrelationId.ShouldBe(nativeId);
        byBody["none"].ShouldNotBeNull().Source.ShouldBe(CorrelationIdSource.Generated);
        CorrelationContext.Current.ShouldBeNull();
    }

    [Fact]
    public async Task CorrelatingBasicConsumer_HandlerThrows_PreviousContextRestored()
    {
        await using var channel = await fixture.CreateChannelAsync();
        var consumer = new CorrelatingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, _) => throw new InvalidOperationException("handler failed");
        var outer = new CorrelationContext("outer-" + Guid.NewGuid().ToString("N"));
        var properties = new BasicProperties { Headers = new Dictionary<string, object?> { ["X-Correlation-ID"] = "inner-1" } };

        using (CorrelationContext.BeginScope(outer))
        {
            await Should.ThrowAsync<Exception>(() => consumer.HandleBasicDeliverAsync("tag", 1, false, "ex", "rk", properties, ReadOnlyMemory<byte>.Empty));
            CorrelationContext.Current.ShouldBeSameAs(outer);
        }
    }

    [Fact]
    public async Task CorrelatingBasicConsumer_RejectPolicy_DeliveryDeadLetteredHandlerNotCalled()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions { InvalidIdPolicy = InvalidCorrelationIdPolicy.Reject }, fixture.LoggerFactory);
        await using var channel = await fixture.CreateChannelAsync();
        var deadLetters = await DeclareQueueAsync(channel, "raw-dlq");
        var queue = fixture.NewQueueName("raw-reject");
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, new Dictionary<string, object?>
        {
            ["x-dead-letter-exchange"] = string.Empty,
            ["x-dead-letter-routing-key"] = deadLetters,
        });
        var handled = 0;
        var consumer = new CorrelatingBasicConsumer(channel, propagator);
        consumer.ReceivedAsync += (_, _) =>
        {
            Interlocked.Increment(ref handled);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer);

        var bad = new BasicProperties { Headers = new Dictionary<string, object?> { ["X-Correlation-ID"] = "bad\nid" } };
        await channel.BasicPublishAsync(string.Empty, queue, true, bad, "bad"u8.ToArray());

        var dead = (await fixture.Management.WaitForMessagesAsync(deadLetters)).ShouldHaveSingleItem();
        dead.Payload.ShouldBe("bad");
        handled.ShouldBe(0);
        fixture.Logs.WithEventName("DeliveryRejected").ShouldNotBeEmpty();
    }

    private async Task<string> DeclareQueueAsync(IChannel channel, string prefix)
    {
        var queue = fixture.NewQueueName(prefix);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        return queue;
    }

    private static async Task<BasicGetResult> GetAsync(IChannel channel, string queue)
    {
        BasicGetResult? result = null;
        await Eventually.TrueAsync(() => (result = channel.BasicGetAsync(queue, autoAck: true).GetAwaiter().GetResult()) is not null, Wait);
        return result.ShouldNotBeNull();
    }
}
