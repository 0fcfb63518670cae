using System.Diagnostics;

namespace Correlation.Messaging.Tracing;

/// <summary>
/// The W3C trace context read from an inbound carrier: the raw <c>traceparent</c> and <c>tracestate</c> values and the
/// parsed <see cref="System.Diagnostics.ActivityContext"/>.
/// </summary>
/// <remarks>
/// Pass <see cref="ActivityContext"/> as the parent when starting the consumer's <see cref="Activity"/>, and pass the
/// whole value to <see cref="TraceContextPropagation.BeginScope(in ExtractedTraceContext)"/> so that messages sent while
/// handling this one still carry the inbound trace context when no recorded activity exists.
/// </remarks>
internal readonly struct ExtractedTraceContext
{
    internal ExtractedTraceContext(string traceParent, string? traceState, ActivityContext activityContext)
    {
        TraceParent = traceParent;
        TraceState = traceState;
        ActivityContext = activityContext;
    }

    /// <summary>Gets a value indicating whether a valid <c>traceparent</c> was read.</summary>
    public bool IsValid => TraceParent is not null;

    /// <summary>Gets the inbound <c>traceparent</c> exactly as it arrived, or <see langword="null"/> when it was missing or invalid.</summary>
    public string? TraceParent { get; }

    /// <summary>Gets the inbound <c>tracestate</c>, or <see langword="null"/> when it was missing, invalid, or <see cref="TraceParent"/> was invalid.</summary>
    public string? TraceState { get; }

    /// <summary>Gets the parsed remote context (<see cref="System.Diagnostics.ActivityContext.IsRemote"/> is <see langword="true"/>), or <see langword="default"/> when invalid.</summary>
    public ActivityContext ActivityContext { get; }

    /// <summary>Gets the trace ID, or <see langword="default"/> when invalid.</summary>
    public ActivityTraceId TraceId => ActivityContext.TraceId;
}
