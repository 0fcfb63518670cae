using System.Diagnostics;
using System.Text;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Tracing;

/// <summary>
/// Carries the W3C trace context (<c>traceparent</c>, <c>tracestate</c>) across broker hops next to the correlation
/// header, with the in-box <see cref="System.Diagnostics"/> types only (span attributes: <see cref="CorrelationSpanAttributes"/>).
/// </summary>
/// <remarks>
/// <para>
/// Broker adapters call these methods when <see cref="CorrelationOptions.PropagateTraceContext"/> is on. Unlike
/// <see cref="DistributedContextPropagator"/>, which writes nothing without an <see cref="Activity"/>, the context is
/// written whether or not a listener samples the trace: when there is no recorded activity of the inbound trace, the
/// inbound <c>traceparent</c> of the message being handled is forwarded unchanged (see <see cref="TryGetOutgoing"/>).
/// </para>
/// <para>Getters and setters are the same static-lambda style as <see cref="CorrelationPropagator"/>; header values are
/// validated, so a forged value cannot reach a header or a log line.</para>
/// </remarks>
internal static class TraceContextPropagation
{
    /// <summary>The W3C <c>traceparent</c> header name.</summary>
    public const string TraceParentHeaderName = "traceparent";

    /// <summary>The W3C <c>tracestate</c> header name.</summary>
    public const string TraceStateHeaderName = "tracestate";

    /// <summary>The longest <c>traceparent</c> accepted (version 00 is 55 characters; later versions may append fields).</summary>
    internal const int MaxTraceParentLength = 256;

    /// <summary>The longest <c>tracestate</c> accepted, per the W3C recommendation of at least 512 characters.</summary>
    internal const int MaxTraceStateLength = 512;

    /// <summary>
    /// Reads and validates the W3C trace context of an inbound carrier.
    /// </summary>
    /// <typeparam name="TCarrier">The carrier type.</typeparam>
    /// <param name="carrier">The inbound carrier.</param>
    /// <param name="getter">Reads one header (the same getter the adapter passes to <see cref="CorrelationPropagator.Extract{TCarrier}"/>). Pass a static lambda.</param>
    /// <returns>
    /// The trace context; <see cref="ExtractedTraceContext.IsValid"/> is <see langword="false"/> when <c>traceparent</c> is
    /// missing, repeated, or malformed (then <c>tracestate</c> is ignored too, as the W3C specification requires).
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="getter"/> is <see langword="null"/>.</exception>
    public static ExtractedTraceContext Extract<TCarrier>(TCarrier carrier, CorrelationHeaderGetter<TCarrier> getter)
    {
        ArgumentNullException.ThrowIfNull(getter);

        var parentValue = getter(carrier, TraceParentHeaderName);
        if (parentValue.HadDuplicates || !TryDecode(parentValue, MaxTraceParentLength, out var traceParent))
        {
            return default;
        }

        string? traceState = null;
        var stateValue = getter(carrier, TraceStateHeaderName);
        if (stateValue.IsPresent && TryDecode(stateValue, MaxTraceStateLength, out var state) && state.Length > 0)
        {
            traceState = state;
        }

        if (!ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context))
        {
            return default;
        }

        return new ExtractedTraceContext(traceParent, traceState, context);
    }

    /// <summary>
    /// Makes an inbound trace context ambient until the returned scope is disposed, so that messages sent while handling
    /// the inbound one forward it when there is no recorded activity of its trace.
    /// </summary>
    /// <param name="extracted">The result of <see cref="Extract{TCarrier}"/>. When it is not valid, the scope clears the ambient inbound trace context.</param>
    /// <returns>A scope that restores the previous ambient inbound trace context.</returns>
    public static TraceContextScope BeginScope(in ExtractedTraceContext extracted)
    {
        var previous = InboundTraceContext.Current;
        InboundTraceContext.Current = extracted.IsValid
            ? new InboundTraceContext(extracted.TraceParent!, extracted.TraceState, extracted.TraceId)
            : null;
        return new TraceContextScope(previous);
    }

    /// <summary>
    /// Returns the trace context an outgoing message should carry.
    /// </summary>
    /// <param name="traceParent">The <c>traceparent</c> to write, or <see langword="null"/>.</param>
    /// <param name="traceState">The <c>tracestate</c> to write, or <see langword="null"/> for none.</param>
    /// <returns><see langword="true"/> when there is a trace context to write.</returns>
    /// <remarks>
    /// In order: the current W3C <see cref="Activity"/> when it is recorded, or when it belongs to a different trace
    /// than the ambient inbound context (or there is none); otherwise the ambient inbound <c>traceparent</c> and
    /// <c>tracestate</c> (see <see cref="BeginScope"/>), unchanged; otherwise nothing. An unrecorded activity of the
    /// inbound trace is skipped so that the next hop's parent is a span that was really exported.
    /// </remarks>
    public static bool TryGetOutgoing(out string? traceParent, out string? traceState)
    {
        var activity = Activity.Current;
        var inbound = InboundTraceContext.Current;
        if (activity is { IdFormat: ActivityIdFormat.W3C } && (activity.Recorded || inbound is null || inbound.TraceId != activity.TraceId))
        {
            traceParent = activity.Id;
            traceState = activity.TraceStateString;
            return traceParent is not null;
        }

        if (inbound is not null)
        {
            traceParent = inbound.TraceParent;
            traceState = inbound.TraceState;
            return true;
        }

        traceParent = null;
        traceState = null;
        return false;
    }

    /// <summary>
    /// Writes <c>traceparent</c> and, when there is one, <c>tracestate</c> to an outgoing carrier (see <see cref="TryGetOutgoing"/>).
    /// </summary>
    /// <typeparam name="TCarrier">The carrier type.</typeparam>
    /// <param name="carrier">The outbound carrier.</param>
    /// <param name="setter">Writes one header, replacing an existing one. Pass a static lambda.</param>
    /// <returns><see langword="true"/> when a trace context was written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="setter"/> is <see langword="null"/>.</exception>
    public static bool Inject<TCarrier>(TCarrier carrier, TraceContextHeaderSetter<TCarrier> setter)
    {
        ArgumentNullException.ThrowIfNull(setter);
        if (!TryGetOutgoing(out var traceParent, out var traceState))
        {
            return false;
        }

        setter(carrier, TraceParentHeaderName, traceParent!);
        if (!string.IsNullOrEmpty(traceState))
        {
            setter(carrier, TraceStateHeaderName, traceState);
        }

        return true;
    }

    private static bool TryDecode(in InboundHeaderValue value, int maxLength, out string text)
    {
        text = string.Empty;
        switch (value.Kind)
        {
            case InboundHeaderValueKind.Text:
                text = value.Text!.Trim(' ');
                break;
            case InboundHeaderValueKind.Utf8:
                var bytes = value.Utf8.Span;
                if (bytes.Length > maxLength || bytes.IndexOfAnyExceptInRange((byte)' ', (byte)'~') >= 0)
                {
                    return false;
                }

                text = Encoding.ASCII.GetString(bytes).Trim(' ');
                break;
            default:
                return false;
        }

        // Printable ASCII only: what the W3C grammar allows, and nothing that could split a header or a log line.
        return text.Length <= maxLength && text.AsSpan().IndexOfAnyExceptInRange(' ', '~') < 0;
    }
}
