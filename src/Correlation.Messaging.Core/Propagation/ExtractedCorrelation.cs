using Correlation.Messaging.Flow.Internal;

namespace Correlation.Messaging.Propagation;

/// <summary>
/// The result of reading correlation metadata from an inbound carrier, after validation and policy.
/// </summary>
/// <remarks>A struct, so that extraction allocates at most the decoded ID strings.</remarks>
public readonly struct ExtractedCorrelation
{
    internal ExtractedCorrelation(string correlationId, string? causationId, string? messageId, CorrelationIdSource source, CorrelationIdProblem problem, FlowMetadata flow = default)
    {
        Flow = flow;
        CorrelationId = correlationId;
        CausationId = causationId;
        MessageId = messageId;
        Source = source;
        Problem = problem;
    }

    /// <summary>Gets the correlation ID to use: the inbound one, or a generated one.</summary>
    public string CorrelationId { get; }

    /// <summary>Gets the inbound causation ID (the ID of the message that caused the inbound one), if present and valid.</summary>
    public string? CausationId { get; }

    /// <summary>Gets the inbound message ID header, when it was requested, present and valid.</summary>
    public string? MessageId { get; }

    /// <summary>Gets where <see cref="CorrelationId"/> came from.</summary>
    public CorrelationIdSource Source { get; }

    /// <summary>Gets why the inbound value was not used, or <see cref="CorrelationIdProblem.None"/>.</summary>
    public CorrelationIdProblem Problem { get; }

    /// <summary>Gets the flow metadata of the inbound message (depth as carried), or the metadata of a flow starting at this hop.</summary>
    internal FlowMetadata Flow { get; }
}
