using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Correlation.Messaging.Interop.Tests.Infrastructure;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;
using MassTransit;

namespace Correlation.Messaging.Interop.Tests.OpenTelemetry;

public sealed record OtelOrder(string Text);

/// <summary>
/// The OpenTelemetry messaging convention on every span of a flow that crosses a real RabbitMQ hop (MassTransit) and a
/// real Kafka hop, exported by the OpenTelemetry SDK's in-memory exporter: <c>messaging.message.conversation_id</c> is
/// the correlation ID everywhere, MassTransit's own consumer span included.
/// </summary>
[Collection(BrokersCollection.Name)]
public sealed class ConversationIdAttributeTests
{
    private const string ConversationId = "messaging.message.conversation_id";
    private static readonly string[] Sources = ["MassTransit", "Correlation.Messaging.Kafka"];

    [Fact]
    public async Task RabbitMqThenKafka_OpenTelemetrySdk_EverySpanCarriesTheCorrelationIdAsConversationId()
    {
        await Task.Yield();
        Activity.Current = null;
        using var spans = new InMemorySpans(Sources);
        var propagator = new CorrelationPropagator(new CorrelationOptions { PropagateTraceContext = true });
        var queue = Brokers.NewName("otel");
        var topic = Brokers.NewName("otel");
        await Brokers.CreateTopicAsync(topic);
        var flow = "otel-" + Guid.NewGuid().ToString("N");
        var handledMessageIds = new ConcurrentQueue<string>();
        using var producer = Brokers.CorrelatingProducer(propagator);

        var bus = await Brokers.StartBusAsync(propagator, cfg => cfg.ReceiveEndpoint(queue, e =>
        {
            e.AutoDelete = true;
            e.Durable = false;
            e.Handler<OtelOrder>(async c =>
            {
                handledMessageIds.Enqueue(CorrelationContext.Current!.MessageId!);
                await producer.ProduceAsync(topic, new Message<string, string> { Value = c.Message.Text });
            });
        }));
        try
        {
            using (CorrelationContext.BeginScope(new CorrelationContext(flow)))
            {
                await bus.Publish(new OtelOrder("order"), TestContext.Current.CancellationToken);
            }

            (await Eventually.TrueAsync(() => !handledMessageIds.IsEmpty, Brokers.Deadline)).ShouldBeTrue("MassTransit handled the order");
            var record = Brokers.ConsumeOne(topic, propagator, _ => { });
            (await Eventually.TrueAsync(() => spans.Exported.Any(s => s.OperationName == topic + " process"), Brokers.Deadline)).ShouldBeTrue();

            var exported = spans.Exported;
            var send = exported.Single(s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Producer);
            var receive = exported.Single(s => s.OperationName == queue + " receive");
            var process = exported.Single(s => s.OperationName == queue + " process");
            var publish = exported.Single(s => s.OperationName == topic + " publish");
            var kafkaProcess = exported.Single(s => s.OperationName == topic + " process");
            foreach (var span in (Activity[])[send, receive, process, publish, kafkaProcess])
            {
                span.Tag(ConversationId).ShouldBe(flow, span.OperationName);
                span.GetTagItem("correlation.id").ShouldBeNull($"{span.OperationName}: the legacy alias is opt-in");
            }

            // MassTransit's own ConversationId is kept under its own name.
            var massTransitConversation = process.Tag("messaging.masstransit.conversation_id");
            Guid.TryParse(massTransitConversation, CultureInfo.InvariantCulture, out _).ShouldBeTrue();

            // Message and causation IDs: the RabbitMQ message caused the Kafka record.
            var rabbitMessageId = handledMessageIds.Single();
            receive.Tag("messaging.message.id").ShouldBe(rabbitMessageId);
            process.Tag("messaging.message.id").ShouldBe(rabbitMessageId);
            publish.Tag("correlation.causation_id").ShouldBe(rabbitMessageId);
            kafkaProcess.Tag("correlation.causation_id").ShouldBe(rabbitMessageId);
            // A Kafka record's message ID is its place in the log (docs/wire-format.md), known only once delivered: the
            // consumer's span carries it, the producer's span cannot.
            Brokers.Header(record.Message.Headers, CorrelationHeaders.MessageId).ShouldBeNull("no X-Message-ID on Kafka since flow metadata");
            var recordId = $"{record.Topic}:{record.Partition.Value}:{record.Offset.Value}";
            publish.Tag("messaging.message.id").ShouldBeNull();
            kafkaProcess.Tag("messaging.message.id").ShouldBe(recordId);
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task MassTransitProcessSpan_WithoutCorrelationPropagation_CarriesMassTransitsConversationIdNotTheFlow()
    {
        // The failing twin of the test above: without UseCorrelationPropagation, MassTransit's process span carries
        // its own ConversationId (a GUID) as messaging.message.conversation_id, and nothing finds the flow there.
        await Task.Yield();
        Activity.Current = null;
        using var spans = new InMemorySpans(Sources);
        var queue = Brokers.NewName("otel-plain");
        var handled = 0;
        var bus = await Brokers.StartBusAsync(propagator: null, cfg => cfg.ReceiveEndpoint(queue, e =>
        {
            e.AutoDelete = true;
            e.Durable = false;
            e.Handler<OtelOrder>(_ =>
            {
                Interlocked.Increment(ref handled);
                return Task.CompletedTask;
            });
        }));
        try
        {
            var flow = "plain-" + Guid.NewGuid().ToString("N");
            using (CorrelationContext.BeginScope(new CorrelationContext(flow)))
            {
                await bus.Publish(new OtelOrder("order"), TestContext.Current.CancellationToken);
            }

            (await Eventually.TrueAsync(() => spans.Exported.Any(s => s.OperationName == queue + " process"), Brokers.Deadline)).ShouldBeTrue();
            var process = spans.Exported.Single(s => s.OperationName == queue + " process");
            process.Tag(ConversationId).ShouldNotBe(flow);
            Guid.TryParse(process.Tag(ConversationId), CultureInfo.InvariantCulture, out _).ShouldBeTrue();
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task KafkaHop_LegacyAliasOptedIn_SpansAlsoCarryCorrelationId()
    {
        await Task.Yield();
        Activity.Current = null;
        using var spans = new InMemorySpans(Sources);
        var propagator = new CorrelationPropagator(new CorrelationOptions { PropagateTraceContext = true, EmitLegacyCorrelationIdAttribute = true });
        var topic = Brokers.NewName("otel-legacy");
        await Brokers.CreateTopicAsync(topic);
        var flow = "legacy-" + Guid.NewGuid().ToString("N");
        using (var producer = Brokers.CorrelatingProducer(propagator))
        using (CorrelationContext.BeginScope(new CorrelationContext(flow)))
        {
            await producer.ProduceAsync(topic, new Message<string, string> { Value = "x" }, TestContext.Current.CancellationToken);
        }

        Brokers.ConsumeOne(topic, propagator, _ => { });

        var exported = spans.Exported.Where(s => s.OperationName.StartsWith(topic, StringComparison.Ordinal)).ToList();
        exported.Count.ShouldBe(2);
        exported.ShouldAllBe(s => (string?)s.GetTagItem("correlation.id") == flow && (string?)s.GetTagItem(ConversationId) == flow);
    }
}
