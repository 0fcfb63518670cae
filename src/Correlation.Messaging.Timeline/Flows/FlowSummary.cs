namespace Correlation.Messaging.Timeline.Flows;

/// <summary>One line of the flow list: what a flow is, without its lines.</summary>
internal sealed record FlowSummary(
    string CorrelationId,
    DateTimeOffset Start,
    TimeSpan Duration,
    int ServiceCount,
    int MessageCount,
    int LineCount,
    FlowStatus Status)
{
    public static FlowSummary Of(Flow flow) =>
        new(flow.CorrelationId, flow.Start, flow.Duration, flow.Services.Count, flow.MessageCount, flow.LineCount, flow.Status);
}

/// <summary>Whether a linked flow came before or after the one shown.</summary>
internal enum LinkDirection
{
    /// <summary>The shown flow was started from it (its <c>previous_correlation_id</c>).</summary>
    Previous,

    /// <summary>It was started from the shown flow.</summary>
    Next,
}

/// <summary>A flow linked to the one shown, with its summary when its lines were read.</summary>
internal sealed record FlowLink(LinkDirection Direction, string CorrelationId, FlowSummary? Summary);
