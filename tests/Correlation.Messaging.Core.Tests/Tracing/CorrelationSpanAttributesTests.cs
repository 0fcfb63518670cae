using System.Diagnostics;
using Correlation.Messaging.Tracing;

namespace Correlation.Messaging.Tests.Tracing;

/// <summary>
/// The span attributes of every adapter: the OpenTelemetry convention's <c>messaging.message.conversation_id</c> for the
/// correlation ID, the message and causation IDs, and <c>correlation.id</c> only when opted in.
/// </summary>
public sealed class CorrelationSpanAttributesTests
{
    [Fact]
    public void Tag_DefaultOptions_WritesConventionAttributesAndNoLegacyAlias()
    {
        using var source = new ActivitySource(nameof(Tag_DefaultOptions_WritesConventionAttributesAndNoLegacyAlias));
        using var listener = Listen(source.Name);
        using var span = source.StartActivity("x", ActivityKind.Consumer)!;

        CorrelationSpanAttributes.Tag(span, new CorrelationOptions(), "flow-1", "msg-2", "msg-1");

        span.GetTagItem("messaging.message.conversation_id").ShouldBe("flow-1");
        span.GetTagItem("messaging.message.id").ShouldBe("msg-2");
        span.GetTagItem("correlation.causation_id").ShouldBe("msg-1");
        span.GetTagItem("correlation.id").ShouldBeNull();
    }

    [Fact]
    public void Tag_LegacyAliasOptedIn_AlsoWritesCorrelationId()
    {
        using var source = new ActivitySource(nameof(Tag_LegacyAliasOptedIn_AlsoWritesCorrelationId));
        using var listener = Listen(source.Name);
        using var span = source.StartActivity("x")!;

        CorrelationSpanAttributes.Tag(span, new CorrelationOptions { EmitLegacyCorrelationIdAttribute = true }, "flow-1");

        span.GetTagItem("correlation.id").ShouldBe("flow-1");
        span.GetTagItem("messaging.message.conversation_id").ShouldBe("flow-1");
        span.GetTagItem("correlation.causation_id").ShouldBeNull();
    }

    [Fact]
    public void Tag_SpanAlreadyHasMessageId_KeepsIt()
    {
        using var source = new ActivitySource(nameof(Tag_SpanAlreadyHasMessageId_KeepsIt));
        using var listener = Listen(source.Name);
        using var span = source.StartActivity("x")!;
        span.SetTag("messaging.message.id", "broker-id");

        CorrelationSpanAttributes.Tag(span, new CorrelationOptions(), "flow-1", "ours");

        span.GetTagItem("messaging.message.id").ShouldBe("broker-id");
    }

    [Fact]
    public void Tag_MassTransitSpanWithItsConversationId_MovesItAsideAndTakesTheAttribute()
    {
        using var source = new ActivitySource("MassTransit");
        using var listener = Listen(source.Name);
        using var span = source.StartActivity("q process", ActivityKind.Consumer)!;
        span.SetTag("messaging.message.conversation_id", "mt-guid");

        CorrelationSpanAttributes.Tag(span, new CorrelationOptions(), "flow-1");

        span.GetTagItem("messaging.message.conversation_id").ShouldBe("flow-1");
        span.GetTagItem("messaging.masstransit.conversation_id").ShouldBe("mt-guid");
    }

    [Fact]
    public void Tag_NullOrPropagationOnlySpan_WritesNothing()
    {
        using var source = new ActivitySource(nameof(Tag_NullOrPropagationOnlySpan_WritesNothing));
        using var listener = Listen(source.Name, ActivitySamplingResult.PropagationData);
        using var span = source.StartActivity("x")!;

        CorrelationSpanAttributes.Tag(null, new CorrelationOptions(), "flow-1");
        CorrelationSpanAttributes.Tag(span, new CorrelationOptions(), "flow-1");

        span.TagObjects.ShouldBeEmpty();
    }

    private static ActivityListener Listen(string name, ActivitySamplingResult result = ActivitySamplingResult.AllDataAndRecorded)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => result,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
