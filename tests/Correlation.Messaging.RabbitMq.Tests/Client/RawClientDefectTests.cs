using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq.Tests.Infrastructure;
using Correlation.Messaging.TestSupport;
using RabbitMQ.Client;

namespace Correlation.Messaging.RabbitMq.Tests;

/// <summary>Issue 13 on RabbitMQ.Client, against the real broker: defects 7, 8 and 9, canonical names, and the consumer span.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class RawClientDefectTests(RabbitMqFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task WithCorrelation_ReusedPropertiesAtTheEdge_StaleCausationRemoved()
    {
        await using var channel = await fixture.CreateChannelAsync();
        var queue = await DeclareQueueAsync(channel, "raw-stale");
        var properties = new BasicProperties { MessageId = "m-1" };
        using (CorrelationContext.BeginScope(new CorrelationContext("flow-1", messageId: "handled-1")))
        {
            await channel.BasicPublishAsync(string.Empty, queue, true, properties.WithCorrelation(), "1"u8.ToArray());
        }

        using (CorrelationContext.BeginScope(new CorrelationContext("flow-2")))
        {
            // The same properties object, reused at the edge of another flow: no message is being handled.
            await channel.BasicPublishAsync(string.Empty, queue, true, properties.WithCorrelation(), "2"u8.ToArray());
        }

        (await GetAsync(channel, queue)).BasicProperties.Headers!.ContainsKey("X-Causation-ID").ShouldBeTrue();
        var second = await GetAsync(channel, queue);
        Header(second, "X-Correlation-ID").ShouldBe("flow-2");
        second.BasicProperties.Headers!.ContainsKey("X-Causation-ID").ShouldBeFalse("a causation ID of another flow must not travel on");
    }

    [Fact]
    public async Task WithCorrelation_CopiedPropertiesWithCaseVariantNames_OnlyCanonicalNamesOnTheWire()
    {
        await using var channel = await fixture.CreateChannelAsync();
        var queue = await DeclareQueueAsync(channel, "raw-canonical");
        var copied = new BasicProperties
        {
            MessageId = "m-2",
            Headers = new Dictionary<string, object?> { ["x-correlation-id"] = "inbound-flow", ["x-causation-id"] = "old-cause", ["x-correlation-flow"] = "9 old 1764505103123", ["other"] = "kept" },
        };

        using (CorrelationContext.BeginScope(new CorrelationContext("flow-3", messageId: "handled-3")))
        {
            await channel.BasicPublishAsync(string.Empty, queue, true, copied.WithCorrelation(), "x"u8.ToArray());
        }

        var result = await GetAsync(channel, queue);
        result.BasicProperties.Headers!.Keys.ShouldBe(["other", "X-Correlation-ID", "X-Causation-ID", "X-Correlation-Flow"], ignoreOrder: true);
        Header(result, "X-Correlation-Flow").ShouldStartWith("1 ", Case.Sensitive, "the ambient flow's, not the copied one");
        Header(result, "X-Correlation-ID").ShouldBe("flow-3");
        Header(result, "X-Causation-ID").ShouldBe("handled-3");
    }

    [Fact]
    public async Task WithCorrelation_OutsideScopeWithValidExistingIds_KeptForRelays()
    {
        await using var channel = await fixture.CreateChannelAsync();
        var queue = await DeclareQueueAsync(channel, "raw-relay");
        var stored = new BasicProperties
        {
            MessageId = "m-3",
            Headers = new Dictionary<string, object?> { ["X-Correlation-ID"] = "relay-1", ["X-Causation-ID"] = "cause-1" },
        };
        var invalid = new BasicProperties { MessageId = "m-4", Headers = new Dictionary<string, object?> { ["X-Correlation-ID"] = "bad value" } };

        await channel.BasicPublishAsync(string.Empty, queue, true, stored.WithCorrelation(), "1"u8.ToArray());
        await channel.BasicPublishAsync(string.Empty, queue, true, invalid.WithCorrelation(), "2"u8.ToArray());

        var relayed = await GetAsync(channel, queue);
        Header(relayed, "X-Correlation-ID").ShouldBe("relay-1");
        Header(relayed, "X-Causation-ID").ShouldBe("cause-1");
        relayed.BasicProperties.CorrelationId.ShouldBe("relay-1");
        Guid.TryParse(Header(await GetAsync(channel, queue), "X-Correlation-ID"), out _).ShouldBeTrue("an invalid existing ID is replaced");
    }

    [Fact]
    public async Task WithCorrelation_NoMessageId_NewUuidV7MessageIdSoConsumersHaveACause()
    {
        await using var channel = await fixture.CreateChannelAsync();
        var queue = await DeclareQueueAsync(channel, "raw-msgid");

        await channel.BasicPublishWithCorrelationAsync(string.Empty, queue, "x"u8.ToArray(), mandatory: true);

        var messageId = (await GetAsync(channel, queue)).BasicProperties.MessageId;
        Guid.TryParse(messageId, out var guid).ShouldBeTrue($"message_id was '{messageId}'");
        guid.Version.ShouldBe(7);
    }

    [Fact]
    public async Task CorrelatingBasicConsumer_MessageIdWithSlashOrNone_CausationSurvivesTheNextHop()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions(), fixture.LoggerFactory);
        await using var channel = await fixture.CreateChannelAsync();
        var queue = await DeclareQueueAsync(channel, "raw-cause-in");
        var downstream = await DeclareQueueAsync(channel, "raw-cause-out");
        var handled = new ConcurrentDictionary<string, CorrelationContext>();
        var consumer = new CorrelatingBasicConsumer(channel, propagator);
        consumer.ReceivedAsync += async (_, args) =>
        {
            var body = Encoding.UTF8.GetString(args.Body.Span);
            handled[body] = CorrelationContext.Current!;
            if (!body.StartsWith("down-", StringComparison.Ordinal))
            {
                await channel.BasicPublishWithCorrelationAsync(string.Empty, downstream, Encoding.UTF8.GetBytes("down-" + body), mandatory: true, propagator: propagator);
            }

            await channel.BasicAckAsync(args.DeliveryTag, multiple: false);
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
        await channel.BasicConsumeAsync(downstream, autoAck: false, consumer);

        var headers = new Dictionary<string, object?> { ["X-Correlation-ID"] = "flow-cause" };
        await channel.BasicPublishAsync(string.Empty, queue, true, new BasicProperties { MessageId = "orders/42", Headers = headers }, "slash"u8.ToArray());
        await channel.BasicPublishAsync(string.Empty, queue, true, new BasicProperties { Headers = headers }, "none"u8.ToArray());

        (await Eventually.TrueAsync(() => handled.Count == 4, Wait)).ShouldBeTrue($"handled: {string.Join(", ", handled.Keys)}");
        handled["slash"].MessageId.ShouldBe("orders/42");
        handled["down-slash"].CausationId.ShouldBe("orders/42", "a message ID outside the correlation ID's character set is still a cause");
        var generated = handled["none"].MessageId.ShouldNotBeNull("a delivery without message_id gets a message ID for its handling");
        handled["down-none"].CausationId.ShouldBe(generated);
        handled.Values.ShouldAllBe(c => c.CorrelationId == "flow-cause");
    }

    [Fact]
    public async Task CorrelatingBasicConsumer_PropagateTraceContext_StartsConsumerSpanChildOfTraceparent()
    {
        const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        var propagator = new CorrelationPropagator(new CorrelationOptions { PropagateTraceContext = true }, fixture.LoggerFactory);
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Correlation.Messaging.RabbitMq",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        await using var channel = await fixture.CreateChannelAsync();
        var queue = await DeclareQueueAsync(channel, "raw-span");
        Activity? seen = null;
        var consumer = new CorrelatingBasicConsumer(channel, propagator);
        consumer.ReceivedAsync += async (_, args) =>
        {
            seen = Activity.Current;
            await channel.BasicAckAsync(args.DeliveryTag, multiple: false);
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer);

        var headers = new Dictionary<string, object?> { ["X-Correlation-ID"] = "flow-span", ["traceparent"] = TraceParent };
        await channel.BasicPublishAsync(string.Empty, queue, true, new BasicProperties { MessageId = "m-span", Headers = headers }, "x"u8.ToArray());

        (await Eventually.TrueAsync(() => seen is not null, Wait)).ShouldBeTrue("the handler ran inside a consumer span");
        seen!.Source.Name.ShouldBe("Correlation.Messaging.RabbitMq");
        seen.Kind.ShouldBe(ActivityKind.Consumer);
        seen.TraceId.ToHexString().ShouldBe("4bf92f3577b34da6a3ce929d0e0e4736");
        seen.ParentSpanId.ToHexString().ShouldBe("00f067aa0ba902b7");
        seen.GetTagItem("messaging.message.conversation_id").ShouldBe("flow-span");
        seen.GetTagItem("messaging.message.id").ShouldBe("m-span");
        (await Eventually.TrueAsync(() => seen.IsStopped, Wait)).ShouldBeTrue("the span ends with the delivery");
    }

    private static string? Header(BasicGetResult result, string name) =>
        result.BasicProperties.Headers is { } h && h.TryGetValue(name, out var v) && v is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;

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
