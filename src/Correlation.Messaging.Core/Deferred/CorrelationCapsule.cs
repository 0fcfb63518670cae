using Correlation.Messaging.Deferred.Internal;
using Correlation.Messaging.Internal;
using Correlation.Messaging.Logging;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Tracing;
using Correlation.Messaging.Tracing.Internal;
using Correlation.Messaging.Validation;

namespace Correlation.Messaging;

/// <summary>
/// A snapshot of the ambient flow that travels with work leaving the handler (a background job, a queued item, a
/// scheduled trigger): the correlation ID, the causation ID (the message or request that captured it), the W3C
/// <c>traceparent</c> and the flow's place (one hop deeper, its origin and start). Capture it with <see cref="CorrelationContext.Capture"/>, store it with <see cref="ToString"/>,
/// read it back with <see cref="Parse"/> and run the work under it with <see cref="Restore"/>.
/// </summary>
/// <remarks>
/// <para>
/// The text form is compact and versioned: <c>v1;&lt;correlation&gt;;&lt;causation&gt;;&lt;traceparent&gt;[;&lt;flow&gt;]</c> (see
/// <c>docs/deferred-work.md</c> and <c>docs/wire-format.md</c>). A stored capsule is inbound data:
/// <see cref="Restore"/> validates it again under the propagator's options, and a capsule that is truncated, tampered
/// with, oversized or of another version never throws into the work. The work runs under a new ID and the reason is
/// logged and counted.
/// </para>
/// <para>Instances are immutable and thread-safe. The capsule is not signed: keep it where the work itself is stored.</para>
/// </remarks>
public sealed class CorrelationCapsule
{
    /// <summary>The longest capsule text that is parsed at all; longer text is <see cref="CorrelationCapsuleProblem.TooLong"/>.</summary>
    public const int MaxTextLength = 16 * 1024;

    private static readonly CorrelationHeaderGetter<(CorrelationCapsule Capsule, CorrelationPropagator Propagator)> Getter =
        static (carrier, name) => carrier.Capsule.Read(carrier.Propagator, name);

    private readonly string? _correlationId;
    private readonly string? _causationId;
    private readonly string? _traceParent;
    private readonly string? _flow;
    private readonly CorrelationCapsuleProblem _problem;
    private string? _text;

    private CorrelationCapsule(string? correlationId, string? causationId, string? traceParent, string? flow, string? text, CorrelationCapsuleProblem problem)
    {
        _correlationId = correlationId;
        _causationId = causationId;
        _traceParent = traceParent;
        _flow = flow;
        _text = text;
        _problem = problem;
    }

    /// <summary>
    /// Gets the capsule captured outside any flow. Restoring it starts a new flow with a generated ID every time, so
    /// each run of work scheduled outside a flow gets its own ID. Its text is empty.
    /// </summary>
    public static CorrelationCapsule Empty { get; } = new(null, null, null, null, string.Empty, CorrelationCapsuleProblem.None);

    /// <summary>Gets a value indicating whether this capsule holds no flow (it was captured outside any flow, or parsed from empty text).</summary>
    public bool IsEmpty => _correlationId is null && _problem == CorrelationCapsuleProblem.None;

    /// <summary>
    /// Reads a stored capsule. Never throws: text that cannot be read yields a capsule that, when restored, logs the
    /// problem, counts it and starts a new flow.
    /// </summary>
    /// <param name="text">The stored text, or <see langword="null"/> or empty for <see cref="Empty"/>.</param>
    /// <returns>The capsule. Its values are not validated until <see cref="Restore"/>.</returns>
    public static CorrelationCapsule Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Empty;
        }

        var problem = CapsuleText.TryRead(text, out var correlationId, out var causationId, out var traceParent, out var flow);
        return new CorrelationCapsule(correlationId, causationId, traceParent, flow, text, problem);
    }

    /// <summary>
    /// Makes the captured flow ambient, with a logging scope, until the returned scope is disposed. The capsule's IDs
    /// are validated again under <paramref name="propagator"/>'s options, as inbound values are.
    /// </summary>
    /// <param name="propagator">The propagator whose options, logger and metrics apply.</param>
    /// <param name="workId">
    /// The ID of the unit of work being run (a job ID, a fire instance ID), or <see langword="null"/>. It becomes the
    /// context's <see cref="CorrelationContext.MessageId"/>, so messages sent by the work carry it as their causation.
    /// </param>
    /// <returns>
    /// The scope. The context's correlation ID is the captured one; its causation ID is the message or request that
    /// captured it. For <see cref="Empty"/>, and for a capsule that is unreadable or whose correlation ID is refused by
    /// policy (including <see cref="InvalidCorrelationIdPolicy.Reject"/>), the work runs under a newly generated ID.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="propagator"/> is <see langword="null"/>.</exception>
    public CorrelationScope Restore(CorrelationPropagator propagator, string? workId = null)
    {
        ArgumentNullException.ThrowIfNull(propagator);

        ExtractedCorrelation extracted;
        if (_problem != CorrelationCapsuleProblem.None)
        {
            extracted = Replace(propagator, CorrelationIdSource.Replaced, "invalid");
            Log.CapsuleUnreadable(propagator.Logger, _problem, extracted.CorrelationId, CorrelationIdValidator.Sanitize(_text));
            CorrelationMetrics.CapsuleInvalid.Add(1, new KeyValuePair<string, object?>("problem", ProblemTag(_problem)));
            return propagator.BeginScope(extracted, workId);
        }

        if (_correlationId is null)
        {
            extracted = Replace(propagator, CorrelationIdSource.Generated, "deferred");
            Log.CapsuleEmpty(propagator.Logger, extracted.CorrelationId);
            return propagator.BeginScope(extracted, workId);
        }

        try
        {
            extracted = propagator.Extract((this, propagator), Getter);
        }
        catch (CorrelationIdRejectedException ex)
        {
            // The propagator logged and counted the rejection; deferred work has no sender to refuse, so it runs anyway.
            extracted = Replace(propagator, CorrelationIdSource.Replaced, "invalid");
            Log.CapsuleRejected(propagator.Logger, ex.Problem, extracted.CorrelationId);
        }

        if (_traceParent is null)
        {
            return propagator.BeginScope(extracted, workId);
        }

        // Forward the captured trace parent from the work's sends, validated by the same rules as an inbound traceparent.
        var trace = TraceContextPropagation.Extract((this, propagator), Getter);
        return TracedConsumeScope.Begin(propagator, extracted, workId, trace, null, null);
    }

    /// <summary>Returns the stored form of this capsule: <c>v1;…</c>, or an empty string for <see cref="Empty"/>.</summary>
    /// <returns>The text; computed once and cached. A parsed capsule returns the text it was parsed from.</returns>
    public override string ToString() => _text ??= CapsuleText.Write(_correlationId!, _causationId, _traceParent, _flow);

    internal static CorrelationCapsule CaptureCurrent()
    {
        var current = AmbientCorrelation.Current;
        if (current is null)
        {
            return Empty;
        }

        TraceContextPropagation.TryGetOutgoing(out var traceParent, out _);

        // The flow a message sent here would carry (depth + 1, origin, start, previous), when the context knows its origin:
        // one made by a propagator or read from the wire does; one made with the public constructor has no service name here.
        var flow = current.Flow is { IsSet: true, Origin: { } origin } ? current.OutgoingFlow(origin).Text : null;
        return new CorrelationCapsule(current.CorrelationId, current.MessageId ?? current.CausationId, traceParent, flow, null, CorrelationCapsuleProblem.None);
    }

    private static string ProblemTag(CorrelationCapsuleProblem problem) => problem switch
    {
        CorrelationCapsuleProblem.TooLong => nameof(CorrelationCapsuleProblem.TooLong),
        CorrelationCapsuleProblem.Malformed => nameof(CorrelationCapsuleProblem.Malformed),
        CorrelationCapsuleProblem.UnsupportedVersion => nameof(CorrelationCapsuleProblem.UnsupportedVersion),
        CorrelationCapsuleProblem.Truncated => nameof(CorrelationCapsuleProblem.Truncated),
        CorrelationCapsuleProblem.BadEscape => nameof(CorrelationCapsuleProblem.BadEscape),
        _ => nameof(CorrelationCapsuleProblem.None),
    };

    private static ExtractedCorrelation Replace(CorrelationPropagator propagator, CorrelationIdSource source, string reason)
    {
        var id = propagator.NewId();
        CorrelationMetrics.Generated.Add(1, new KeyValuePair<string, object?>("reason", reason));
        return new ExtractedCorrelation(id, null, null, source, CorrelationIdProblem.None);
    }

    /// <summary>Presents the capsule as a carrier of the propagator's own header names, so the propagator's rules apply unchanged.</summary>
    private InboundHeaderValue Read(CorrelationPropagator propagator, string name)
    {
        string? value;
        if (string.Equals(name, propagator.HeaderName, StringComparison.Ordinal))
        {
            value = _correlationId;
        }
        else if (string.Equals(name, propagator.CausationHeaderName, StringComparison.Ordinal))
        {
            value = _causationId;
        }
        else if (string.Equals(name, TraceContextPropagation.TraceParentHeaderName, StringComparison.Ordinal))
        {
            value = _traceParent;
        }
        else if (string.Equals(name, propagator.FlowHeaderName, StringComparison.Ordinal))
        {
            value = _flow;
        }
        else
        {
            value = null;
        }

        return value is null ? InboundHeaderValue.Missing : InboundHeaderValue.FromText(value);
    }
}
