using System.Diagnostics;
using System.Text.Json;
using Correlation.Messaging.Propagation;
using Amazon.SQS;
using Amazon.SQS.Model;
using Correlation.Messaging.Sqs.Propagation;
using Correlation.Messaging.Tracing;

namespace Correlation.Messaging.Sqs.Tests.Tracing;

/// <summary>
/// The W3C trace context in SQS message attributes with <see cref="CorrelationOptions.PropagateTraceContext"/> on:
/// separate <c>String</c> attributes while the 10-attribute budget allows, members of the packed attribute when it is
/// tight, dropped only when even packed it would not fit the size limit. The ambient inbound trace context stands in
/// for "handling a message that carried one", with no listener at all.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class SqsTraceContextAttributesTests
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private const string TraceState = "congo=t61rcWkgMzE";

    private readonly CorrelationPropagator _tracing = new(new CorrelationOptions { PropagateTraceContext = true });

    [Theory]
    [InlineData(0, false)]
    [InlineData(5, true)] // 5 + correlation, causation, flow, traceparent, tracestate = exactly 10
    [InlineData(6, false)] // 6 + correlation, flow, traceparent, tracestate = exactly 10
    public async Task Inject_BudgetAllowsEveryField_WritesTraceContextAsStringAttributes(int userCount, bool handlingMessage)
    {
        await Task.Yield();
        Activity.Current = null;
        var attributes = UserAttributes(userCount);
        var context = new CorrelationContext("corr-t1", messageId: handlingMessage ? "consumed-1" : null);

        using (InboundTrace(TraceParent, TraceState))
        {
            SqsCorrelationAttributes.Inject(_tracing, context, attributes).ShouldBe(SqsAttributeWriteOutcome.Attributes);
        }

        attributes["traceparent"].DataType.ShouldBe("String");
        attributes["traceparent"].StringValue.ShouldBe(TraceParent);
        attributes["tracestate"].StringValue.ShouldBe(TraceState);
        attributes["X-Correlation-ID"].StringValue.ShouldBe("corr-t1");
        attributes.ContainsKey(SqsCorrelationAttributes.PackedAttributeName).ShouldBeFalse();
        attributes.Count.ShouldBe(userCount + (handlingMessage ? 5 : 4));
        attributes.Count.ShouldBeLessThanOrEqualTo(SqsCorrelationAttributes.MaxMessageAttributes);
    }

    [Theory]
    [InlineData(6, true)] // 6 + 5 fields = 11: packed
    [InlineData(7, false)] // 7 + 4 fields = 11: packed
    [InlineData(9, true)] // one slot left
    public async Task Inject_BudgetTight_PacksTraceContextWithCorrelationAndConsumeScopeRestoresIt(int userCount, bool handlingMessage)
    {
        await Task.Yield();
        Activity.Current = null;
        var attributes = UserAttributes(userCount);
        var context = new CorrelationContext("corr-t2", messageId: handlingMessage ? "consumed-2" : null);

        using (InboundTrace(TraceParent, TraceState))
        {
            SqsCorrelationAttributes.Inject(_tracing, context, attributes).ShouldBe(SqsAttributeWriteOutcome.Packed);
        }

        attributes.Count.ShouldBe(userCount + 1);
        attributes.ContainsKey("traceparent").ShouldBeFalse();
        attributes.ContainsKey("tracestate").ShouldBeFalse();
        using (var json = JsonDocument.Parse(attributes[SqsCorrelationAttributes.PackedAttributeName].StringValue!))
        {
            json.RootElement.GetProperty("X-Correlation-ID").GetString().ShouldBe("corr-t2");
            json.RootElement.GetProperty("traceparent").GetString().ShouldBe(TraceParent);
            json.RootElement.GetProperty("tracestate").GetString().ShouldBe(TraceState);
        }

        // The receiving side: the packed members become the ambient inbound trace context, forwarded by the next send.
        var next = new Dictionary<string, MessageAttributeValue>();
        using (SqsCorrelationAttributes.BeginConsumeScope(_tracing, attributes, "sqs-id-2", queueName: null))
        {
            CorrelationContext.Current!.CorrelationId.ShouldBe("corr-t2");
            SqsCorrelationAttributes.Inject(_tracing, CorrelationContext.Current, next).ShouldBe(SqsAttributeWriteOutcome.Attributes);
        }

        next["traceparent"].StringValue.ShouldBe(TraceParent);
        next["tracestate"].StringValue.ShouldBe(TraceState);
        next["X-Causation-ID"].StringValue.ShouldBe("sqs-id-2");
        TraceContextPropagation.TryGetOutgoing(out _, out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Inject_TraceContextAttributesLeftFromAnEarlierWrite_AreOursSoTheyAreReplacedNotCounted()
    {
        await Task.Yield();
        Activity.Current = null;
        var attributes = UserAttributes(6);
        attributes["traceparent"] = Attr.String("00-11111111111111111111111111111111-2222222222222222-01");
        attributes["tracestate"] = Attr.String("old=1");

        // Without tracestate now: 6 + correlation + flow + traceparent fit; the stale tracestate must go, not linger.
        using (InboundTrace(TraceParent, null))
        {
            SqsCorrelationAttributes.Inject(_tracing, new CorrelationContext("corr-t3"), attributes).ShouldBe(SqsAttributeWriteOutcome.Attributes);
        }

        attributes["traceparent"].StringValue.ShouldBe(TraceParent);
        attributes.ContainsKey("tracestate").ShouldBeFalse();
        attributes.Count.ShouldBe(9);
    }

    [Fact]
    public async Task Inject_PackedWithTraceContextExceedsSizeLimit_DropsTraceContextKeepsCorrelation()
    {
        await Task.Yield();
        Activity.Current = null;
        var attributes = UserAttributes(9);
        var context = new CorrelationContext("corr-t4", messageId: "m4");
        var flow = $"1 {context.Origin} {context.StartedAt.ToUnixTimeMilliseconds()}";
        var packedWithoutTrace = $"{{\"X-Correlation-ID\":\"corr-t4\",\"X-Causation-ID\":\"m4\",\"X-Correlation-Flow\":\"{flow}\"}}".Length + SqsCorrelationAttributes.PackedAttributeName.Length + "String".Length;
        var userSize = attributes.Sum(a => a.Key.Length + "String".Length + a.Value.StringValue!.Length);
        var body = new string('x', SqsCorrelationAttributes.DefaultMaxMessageSize - userSize - packedWithoutTrace);
        using var degraded = new DegradedCounter();

        using (InboundTrace(TraceParent, TraceState))
        {
            SqsCorrelationAttributes.Inject(_tracing, context, attributes, body).ShouldBe(SqsAttributeWriteOutcome.Packed);
        }

        using var json = JsonDocument.Parse(attributes[SqsCorrelationAttributes.PackedAttributeName].StringValue!);
        json.RootElement.GetProperty("X-Correlation-ID").GetString().ShouldBe("corr-t4");
        json.RootElement.GetProperty("X-Causation-ID").GetString().ShouldBe("m4");
        json.RootElement.TryGetProperty("traceparent", out _).ShouldBeFalse();
        degraded["sqs/size_limit"].ShouldBe(0);
    }

    [Fact]
    public async Task Inject_NoTraceContextToWrite_CallersTraceparentAttributeCountsAsTheirsAndIsKept()
    {
        await Task.Yield();
        Activity.Current = null;
        var attributes = UserAttributes(8);
        attributes["traceparent"] = Attr.String(TraceParent);

        // Nothing ambient: no trace context is written, so the caller's traceparent is one of 9 user attributes.
        SqsCorrelationAttributes.Inject(_tracing, new CorrelationContext("corr-t5", messageId: "m"), attributes).ShouldBe(SqsAttributeWriteOutcome.Packed);

        attributes["traceparent"].StringValue.ShouldBe(TraceParent);
        attributes.Count.ShouldBe(10);
    }

    [Fact]
    public async Task Inject_OptionOff_WritesNoTraceContextEvenInsideAnInboundTrace()
    {
        await Task.Yield();
        Activity.Current = null;
        var attributes = new Dictionary<string, MessageAttributeValue>();

        using (InboundTrace(TraceParent, TraceState))
        {
            SqsCorrelationAttributes.Inject(new CorrelationPropagator(new CorrelationOptions()), new CorrelationContext("corr-t6"), attributes);
        }

        attributes.Keys.ShouldBe(["X-Correlation-ID", "X-Correlation-Flow"]);
    }

    [Fact]
    public void GetAttributeNamesToReceive_AsksForTraceContextOnlyWhenTheOptionIsOn()
    {
        SqsCorrelationAttributes.GetAttributeNamesToReceive(_tracing).ShouldContain("traceparent");
        SqsCorrelationAttributes.GetAttributeNamesToReceive(_tracing).ShouldContain("tracestate");
        SqsCorrelationAttributes.GetAttributeNamesToReceive(new CorrelationPropagator(new CorrelationOptions())).ShouldNotContain("traceparent");
    }

    [Fact]
    public async Task BeginConsumeScope_RecordedListener_StartsConsumerSpanUnderTheMessagesTraceTaggedWithCorrelationId()
    {
        await Task.Yield();
        Activity.Current = null;
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Correlation.Messaging.Sqs",
            Sample = (ref ActivityCreationOptions<ActivityContext> o) =>
                o.Parent.TraceId.ToHexString() == "0af7651916cd43dd8448eb211c80319c" ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStopped = a =>
            {
                lock (stopped)
                {
                    stopped.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var attributes = new Dictionary<string, MessageAttributeValue>
        {
            ["X-Correlation-ID"] = Attr.String("corr-t7"),
            ["traceparent"] = Attr.String(TraceParent),
        };

        using (SqsCorrelationAttributes.BeginConsumeScope(_tracing, attributes, "sqs-id-7", queueName: null))
        {
            Activity.Current.ShouldNotBeNull().Kind.ShouldBe(ActivityKind.Consumer);
        }

        Activity.Current.ShouldBeNull();
        CorrelationContext.Current.ShouldBeNull();
        Activity span;
        lock (stopped)
        {
            span = stopped.Single(a => a.TraceId.ToHexString() == "0af7651916cd43dd8448eb211c80319c");
        }

        span.ParentSpanId.ToHexString().ShouldBe("b7ad6b7169203331");
        span.GetTagItem("messaging.message.conversation_id").ShouldBe("corr-t7");
        span.GetTagItem("messaging.message.id").ShouldBe("sqs-id-7");
    }

    private static Dictionary<string, MessageAttributeValue> UserAttributes(int count) =>
        Enumerable.Range(0, count).ToDictionary(i => "user" + i, i => Attr.String("v" + i));

    private static TraceContextScope InboundTrace(string traceParent, string? traceState)
    {
        var carrier = new Dictionary<string, string> { ["traceparent"] = traceParent };
        if (traceState is not null)
        {
            carrier["tracestate"] = traceState;
        }

        return TraceContextPropagation.BeginScope(TraceContextPropagation.Extract(
            carrier,
            static (c, name) => c.TryGetValue(name, out var v) ? InboundHeaderValue.FromText(v) : InboundHeaderValue.Missing));
    }
}
