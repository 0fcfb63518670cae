using System.Diagnostics;

namespace Correlation.Messaging.Tracing;

/// <summary>The ambient inbound trace context of the message being handled; immutable, held in one <see cref="AsyncLocal{T}"/>.</summary>
internal sealed class InboundTraceContext(string traceParent, string? traceState, ActivityTraceId traceId)
{
    private static readonly AsyncLocal<InboundTraceContext?> Local = new();

    public static InboundTraceContext? Current
    {
        get => Local.Value;
        set => Local.Value = value;
    }

    public string TraceParent { get; } = traceParent;

    public string? TraceState { get; } = traceState;

    public ActivityTraceId TraceId { get; } = traceId;
}
