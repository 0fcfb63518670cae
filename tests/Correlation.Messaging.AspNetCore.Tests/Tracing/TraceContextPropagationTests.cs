using System.Diagnostics;
using System.Text;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Tracing;

namespace Correlation.Messaging.AspNetCore.Tests.Tracing;

/// <summary>
/// The Core W3C trace-context helper that broker adapters call, exercised over a dictionary carrier as a broker hop:
/// producer side <see cref="TraceContextPropagation.Inject"/>, consumer side <see cref="TraceContextPropagation.Extract"/>.
/// </summary>
public sealed class TraceContextPropagationTests
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public void Extract_ValidTextHeaders_ReturnsRemoteContextAndRawValues()
    {
        var carrier = Carrier(("traceparent", TraceParent), ("tracestate", "congo=t61rcWkgMzE"));

        var extracted = TraceContextPropagation.Extract(carrier, Getter);

        extracted.IsValid.ShouldBeTrue();
        extracted.TraceParent.ShouldBe(TraceParent);
        extracted.TraceState.ShouldBe("congo=t61rcWkgMzE");
        extracted.ActivityContext.TraceId.ToHexString().ShouldBe("0af7651916cd43dd8448eb211c80319c");
        extracted.ActivityContext.SpanId.ToHexString().ShouldBe("b7ad6b7169203331");
        extracted.ActivityContext.TraceFlags.ShouldBe(ActivityTraceFlags.Recorded);
        extracted.ActivityContext.IsRemote.ShouldBeTrue();
    }

    [Fact]
    public void Extract_Utf8Headers_AreDecoded()
    {
        var carrier = new Dictionary<string, InboundHeaderValue>(StringComparer.Ordinal)
        {
            ["traceparent"] = InboundHeaderValue.FromUtf8(Encoding.ASCII.GetBytes(TraceParent)),
            ["tracestate"] = InboundHeaderValue.FromUtf8(Encoding.ASCII.GetBytes("a=1")),
        };

        var extracted = TraceContextPropagation.Extract(carrier, static (c, name) => c.TryGetValue(name, out var v) ? v : InboundHeaderValue.Missing);

        extracted.TraceParent.ShouldBe(TraceParent);
        extracted.TraceState.ShouldBe("a=1");
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\nX-Injected: 1")]
    [InlineData("")]
    public void Extract_InvalidTraceParent_IsIgnoredWithTraceState(string traceParent)
    {
        var carrier = Carrier(("traceparent", traceParent), ("tracestate", "a=1"));

        var extracted = TraceContextPropagation.Extract(carrier, Getter);

        extracted.IsValid.ShouldBeFalse();
        extracted.TraceState.ShouldBeNull();
        extracted.ActivityContext.ShouldBe(default);
    }

    [Fact]
    public void Extract_DuplicateTraceParentOrUnsafeTraceState_IsRejectedOrDropped()
    {
        var duplicates = new Dictionary<string, InboundHeaderValue>(StringComparer.Ordinal)
        {
            ["traceparent"] = InboundHeaderValue.FromText(TraceParent, hadDuplicates: true),
        };
        var unsafeState = Carrier(("traceparent", TraceParent), ("tracestate", "a=1\nX-Injected: 1"));

        TraceContextPropagation.Extract(duplicates, static (c, name) => c.TryGetValue(name, out var v) ? v : InboundHeaderValue.Missing).IsValid.ShouldBeFalse();
        var extracted = TraceContextPropagation.Extract(unsafeState, Getter);
        extracted.IsValid.ShouldBeTrue();
        extracted.TraceState.ShouldBeNull();
    }

    [Fact]
    public async Task Inject_NoActivityAndNoInboundScope_WritesNothing()
    {
        await Task.Yield();
        Activity.Current = null;
        var outgoing = new Dictionary<string, string>();

        TraceContextPropagation.Inject(outgoing, Setter).ShouldBeFalse();

        outgoing.ShouldBeEmpty();
    }

    [Fact]
    public async Task Inject_NoActivityInsideInboundScope_ForwardsInboundTraceParentUnchanged()
    {
        await Task.Yield();
        Activity.Current = null;
        var inbound = TraceContextPropagation.Extract(Carrier(("traceparent", TraceParent), ("tracestate", "congo=t61rcWkgMzE")), Getter);
        var outgoing = new Dictionary<string, string>();
        var afterScope = new Dictionary<string, string>();

        using (TraceContextPropagation.BeginScope(inbound))
        {
            TraceContextPropagation.Inject(outgoing, Setter).ShouldBeTrue();
        }

        TraceContextPropagation.Inject(afterScope, Setter).ShouldBeFalse();
        outgoing["traceparent"].ShouldBe(TraceParent);
        outgoing["tracestate"].ShouldBe("congo=t61rcWkgMzE");
        afterScope.ShouldBeEmpty();
    }

    [Fact]
    public async Task Inject_UnrecordedConsumerActivity_ForwardsInboundTraceParent()
    {
        await Task.Yield();
        using var source = new ActivitySource(nameof(Inject_UnrecordedConsumerActivity_ForwardsInboundTraceParent));
        using var listener = Listen(source.Name, ActivitySamplingResult.PropagationData);
        var inbound = TraceContextPropagation.Extract(Carrier(("traceparent", TraceParent)), Getter);
        var outgoing = new Dictionary<string, string>();

        using (var consumer = source.StartActivity("consume", ActivityKind.Consumer, inbound.ActivityContext))
        using (TraceContextPropagation.BeginScope(inbound))
        {
            consumer.ShouldNotBeNull();
            consumer.Recorded.ShouldBeFalse();
            TraceContextPropagation.Inject(outgoing, Setter);
        }

        outgoing["traceparent"].ShouldBe(TraceParent);
        outgoing.ContainsKey("tracestate").ShouldBeFalse();
    }

    [Fact]
    public async Task BrokerHop_RecordedProducerAndConsumer_ConsumerJoinsProducerTraceAndBothCarryCorrelationTag()
    {
        await Task.Yield();
        Activity.Current = null;
        using var source = new ActivitySource(nameof(BrokerHop_RecordedProducerAndConsumer_ConsumerJoinsProducerTraceAndBothCarryCorrelationTag));
        var stopped = new List<Activity>();
        using var listener = Listen(source.Name, ActivitySamplingResult.AllDataAndRecorded, stopped);
        var wire = new Dictionary<string, string>();

        // Producer side: the adapter starts its send activity, tags it, and writes the headers.
        using (var producer = source.StartActivity("publish", ActivityKind.Producer))
        {
            CorrelationSpanAttributes.Tag(producer, new CorrelationOptions(), "flow-7");
            TraceContextPropagation.Inject(wire, Setter).ShouldBeTrue();
        }

        // Consumer side, in a fresh flow: extract, start the consumer activity under the remote parent, tag it.
        Activity.Current = null;
        var inbound = TraceContextPropagation.Extract(Carrier([.. wire.Select(kv => (kv.Key, kv.Value))]), Getter);
        var forwarded = new Dictionary<string, string>();
        using (var consumer = source.StartActivity("consume", ActivityKind.Consumer, inbound.ActivityContext))
        using (TraceContextPropagation.BeginScope(inbound))
        {
            CorrelationSpanAttributes.Tag(consumer, new CorrelationOptions(), "flow-7");
            TraceContextPropagation.Inject(forwarded, Setter);
        }

        var producerSpan = stopped.Single(a => a.Kind == ActivityKind.Producer);
        var consumerSpan = stopped.Single(a => a.Kind == ActivityKind.Consumer);
        wire["traceparent"].ShouldBe(producerSpan.Id);
        consumerSpan.TraceId.ShouldBe(producerSpan.TraceId);
        consumerSpan.ParentSpanId.ShouldBe(producerSpan.SpanId);
        producerSpan.GetTagItem(CorrelationSpanAttributes.ConversationId).ShouldBe("flow-7");
        consumerSpan.GetTagItem(CorrelationSpanAttributes.ConversationId).ShouldBe("flow-7");

        // A message sent while consuming is a child of the recorded consumer span, not of the producer.
        forwarded["traceparent"].ShouldBe(consumerSpan.Id);
    }

    [Fact]
    public void TagCorrelationId_NullOrPropagationOnlyActivity_DoesNothing()
    {
        using var source = new ActivitySource(nameof(TagCorrelationId_NullOrPropagationOnlyActivity_DoesNothing));
        using var listener = Listen(source.Name, ActivitySamplingResult.PropagationData);

        CorrelationSpanAttributes.Tag(null, new CorrelationOptions(), "flow");
        using var activity = source.StartActivity("x");
        CorrelationSpanAttributes.Tag(activity, new CorrelationOptions(), "flow");

        activity!.GetTagItem(CorrelationSpanAttributes.ConversationId).ShouldBeNull();
    }

    [Fact]
    public void PropagateTraceContext_Option_DefaultsOffAndIsCopiedByThePropagator()
    {
        new CorrelationOptions().PropagateTraceContext.ShouldBeFalse();
        new CorrelationPropagator(new CorrelationOptions { PropagateTraceContext = true }).Options.PropagateTraceContext.ShouldBeTrue();
    }

    private static Dictionary<string, string> Carrier(params (string Name, string Value)[] headers) =>
        headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.Ordinal);

    private static InboundHeaderValue Getter(Dictionary<string, string> carrier, string name) =>
        carrier.TryGetValue(name, out var value) ? InboundHeaderValue.FromText(value) : InboundHeaderValue.Missing;

    private static void Setter(Dictionary<string, string> carrier, string name, string value) => carrier[name] = value;

    private static ActivityListener Listen(string sourceName, ActivitySamplingResult sampling, List<Activity>? stopped = null)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == sourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => sampling,
            ActivityStopped = a =>
            {
                if (stopped is not null)
                {
                    lock (stopped)
                    {
                        stopped.Add(a);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
