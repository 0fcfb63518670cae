using Correlation.Messaging.TestSupport;
using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Correlation.Messaging.Kafka.Tests.Integration;
using Correlation.Messaging.Propagation;
using OpenTelemetry.Trace;

namespace Correlation.Messaging.Kafka.Tests.Tracing;

/// <summary>
/// W3C trace context across real Kafka hops with <see cref="CorrelationOptions.PropagateTraceContext"/> on: with a real
/// OpenTelemetry SDK tracer the consumer's span joins the producer's trace, and with no listener at all (or one that
/// samples nothing) the trace context still reaches the next hop.
/// </summary>
/// <remarks>In the broker collection, so no other test of this project has a listener on the package's source meanwhile.</remarks>
[Collection(KafkaCollection.Name)]
public sealed class KafkaTracingTests(KafkaFixture kafka)
{
    private const string Source = "Correlation.Messaging.Kafka";
    private const string InboundTraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private readonly CorrelationPropagator _propagator = new(new CorrelationOptions { PropagateTraceContext = true });

    [Fact]
    public async Task ProduceThenConsume_OpenTelemetryTracer_ConsumerSpanIsChildOfProducerSpanBothTaggedWithCorrelationId()
    {
        await Task.Yield();
        Activity.Current = null;
        using var spans = new SpanCollector(new AlwaysOnSampler(), Source);
        var topic = KafkaFixture.NewTopic("trace");
        var flow = "trace-" + Guid.NewGuid().ToString("N");
        var topicPartition = await kafka.TryCreateTopicAsync(topic, 1) ? null : new TopicPartition(topic, 0);

        DeliveryResult<string, string> delivery;
        using (var producer = kafka.CorrelatingProducer(_propagator))
        using (CorrelationContext.BeginScope(new CorrelationContext(flow)))
        {
            // The topic overload where the topic has one partition (the mock), the partition overload elsewhere.
            var message = new Message<string, string> { Value = "traced" };
            delivery = topicPartition is null
                ? await producer.ProduceAsync(topic, message, TestContext.Current.CancellationToken)
                : await producer.ProduceAsync(topicPartition, message, TestContext.Current.CancellationToken);
        }

        Activity.Current.ShouldBeNull();
        var handled = ConsumeOne(topic, _ => { });

        var producerSpan = spans.Ended.Single(s => s.OperationName == topic + " publish");
        var consumerSpan = spans.Ended.Single(s => s.OperationName == topic + " process");
        producerSpan.Kind.ShouldBe(ActivityKind.Producer);
        consumerSpan.Kind.ShouldBe(ActivityKind.Consumer);
        Header(delivery.Message.Headers, "traceparent").ShouldBe(producerSpan.Id);
        Header(handled.Message.Headers, "traceparent").ShouldBe(producerSpan.Id);
        consumerSpan.TraceId.ShouldBe(producerSpan.TraceId);
        consumerSpan.ParentSpanId.ShouldBe(producerSpan.SpanId);
        producerSpan.GetTagItem("messaging.message.conversation_id").ShouldBe(flow);
        consumerSpan.GetTagItem("messaging.message.conversation_id").ShouldBe(flow);
        consumerSpan.GetTagItem("messaging.destination.name").ShouldBe(topic);
    }

    [Fact]
    public async Task ConsumeThenProduceDownstream_OpenTelemetryTracer_DownstreamParentIsTheConsumerSpan()
    {
        await Task.Yield();
        Activity.Current = null;
        using var spans = new SpanCollector(new AlwaysOnSampler(), Source);
        var upstream = KafkaFixture.NewTopic("trace-up");
        var downstream = KafkaFixture.NewTopic("trace-down");
        using var producer = kafka.CorrelatingProducer(_propagator);
        using (CorrelationContext.BeginScope(new CorrelationContext("chain-" + Guid.NewGuid().ToString("N"))))
        {
            await producer.ProduceAsync(new TopicPartition(upstream, 0), new Message<string, string> { Value = "first" }, TestContext.Current.CancellationToken);
        }

        ConsumeOne(upstream, _ => producer.ProduceAsync(new TopicPartition(downstream, 0), new Message<string, string> { Value = "second" }).GetAwaiter().GetResult());
        var second = ConsumeOne(downstream, _ => { });

        var first = spans.Ended.Single(s => s.OperationName == upstream + " process");
        var secondPublish = spans.Ended.Single(s => s.OperationName == downstream + " publish");
        var secondProcess = spans.Ended.Single(s => s.OperationName == downstream + " process");
        secondPublish.ParentSpanId.ShouldBe(first.SpanId);
        secondProcess.ParentSpanId.ShouldBe(secondPublish.SpanId);
        secondProcess.TraceId.ShouldBe(first.TraceId);
        Header(second.Message.Headers, "traceparent").ShouldBe(secondPublish.Id);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SecondHop_NoListenerOrNothingSampled_ForwardsInboundTraceContextUnchanged(bool samplerDropsEverything)
    {
        await Task.Yield();
        Activity.Current = null;
        using var spans = samplerDropsEverything ? new SpanCollector(new AlwaysOffSampler(), Source) : null;
        var upstream = KafkaFixture.NewTopic("notrace-up");
        var downstream = KafkaFixture.NewTopic("notrace-down");

        // An upstream service that is traced wrote the first message (a plain producer, so the headers are exactly these).
        using (var raw = kafka.RawProducer())
        {
            var headers = new Headers
            {
                { CorrelationHeaders.CorrelationId, Encoding.UTF8.GetBytes("nolistener-1") },
                { "traceparent", Encoding.UTF8.GetBytes(InboundTraceParent) },
                { "tracestate", Encoding.UTF8.GetBytes("vendor=opaque") },
            };
            await raw.ProduceAsync(new TopicPartition(upstream, 0), new Message<string, string> { Value = "first", Headers = headers }, TestContext.Current.CancellationToken);
        }

        using var producer = kafka.CorrelatingProducer(_propagator);
        ConsumeOne(upstream, _ =>
        {
            Activity.Current?.Recorded.ShouldBeFalse();
            producer.ProduceAsync(new TopicPartition(downstream, 0), new Message<string, string> { Value = "second" }).GetAwaiter().GetResult();
        });
        var second = ConsumeOne(downstream, _ => { });

        Header(second.Message.Headers, "traceparent").ShouldBe(InboundTraceParent);
        Header(second.Message.Headers, "tracestate").ShouldBe("vendor=opaque");
        Header(second.Message.Headers, CorrelationHeaders.CorrelationId).ShouldBe("nolistener-1");
        spans?.Ended.ShouldBeEmpty();
    }

    [Fact]
    public async Task Produce_OptionOff_WritesNoTraceContextAndStartsNoSpan()
    {
        await Task.Yield();
        Activity.Current = null;
        using var spans = new SpanCollector(new AlwaysOnSampler(), Source);
        var topic = KafkaFixture.NewTopic("trace-off");
        using var producer = kafka.CorrelatingProducer(new CorrelationPropagator(new CorrelationOptions()));

        var delivery = await producer.ProduceAsync(topic, new Message<string, string> { Value = "x" }, TestContext.Current.CancellationToken);

        delivery.Message.Headers.TryGetLastBytes("traceparent", out _).ShouldBeFalse();
        spans.Ended.ShouldBeEmpty();
    }

    private ConsumeResult<string, string> ConsumeOne(string topic, Action<ConsumeResult<string, string>> handler)
    {
        using var consumer = kafka.AssignedConsumer(topic);
        ConsumeResult<string, string>? handled = null;
        KafkaFixture.Until(
            () => handled is not null,
            () => handled = consumer.ConsumeWithCorrelation(_propagator, handler, TimeSpan.FromMilliseconds(500)),
            $"nothing was consumed from {topic}");
        consumer.Close();
        Activity.Current.ShouldBeNull();
        CorrelationContext.Current.ShouldBeNull();
        return handled!;
    }

    private static string? Header(Headers headers, string name) =>
        headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
}
