using Correlation.Messaging.Timeline.Input;

namespace Correlation.Messaging.Timeline.Flows;

/// <summary>How a flow ended.</summary>
internal enum FlowStatus
{
    Ok,
    RetriedThenOk,
    Failed,
}

/// <summary>All log lines of one correlation ID, with the message handlings and the causation tree built from them.</summary>
internal sealed class Flow
{
    public Flow(string correlationId, IReadOnlyList<LogRecord> records, IReadOnlyList<MessageHandling> handlings, IReadOnlyList<MessageHandling> roots)
    {
        CorrelationId = correlationId;
        Records = records;
        Handlings = handlings;
        Roots = roots;
        Start = records[0].Timestamp;
        End = records[^1].Timestamp;
        OrderedByCausation = records.Any(static r => !r.HasTimestamp);
        Services = records.Select(r => r.Service).Distinct(StringComparer.Ordinal).ToList();
        LineCount = records.Count(static r => r.Kind == RecordKind.Log);
        MessageCount = records.Where(r => r.MessageId is not null).Select(r => r.MessageId).Distinct(StringComparer.Ordinal).Count();
        Status = handlings.Any(h => h.Outcome == HandlingOutcome.Failed) ? FlowStatus.Failed
            : handlings.Any(h => h.Outcome == HandlingOutcome.Retried) ? FlowStatus.RetriedThenOk
            : FlowStatus.Ok;
    }

    public string CorrelationId { get; }

    /// <summary>Gets a value indicating whether some lines had no timestamp and were placed in causation order instead.</summary>
    public bool OrderedByCausation { get; }

    /// <summary>Gets the lines in time order (read order breaks ties).</summary>
    public IReadOnlyList<LogRecord> Records { get; }

    /// <summary>Gets the handlings in order of their first line.</summary>
    public IReadOnlyList<MessageHandling> Handlings { get; }

    /// <summary>Gets the roots of the causation tree: messages without a cause, and those whose cause is not in the logs.</summary>
    public IReadOnlyList<MessageHandling> Roots { get; }

    public DateTimeOffset Start { get; }

    public DateTimeOffset End { get; }

    public TimeSpan Duration => End - Start;

    /// <summary>Gets the services in order of their first line.</summary>
    public IReadOnlyList<string> Services { get; }

    /// <summary>Gets the number of log lines (span records not counted).</summary>
    public int LineCount { get; }

    /// <summary>Gets the number of distinct message IDs.</summary>
    public int MessageCount { get; }

    public FlowStatus Status { get; }

    /// <summary>Gets how far each service's clock was moved forward to read the flow in hop order (empty: none was).</summary>
    public IReadOnlyDictionary<string, TimeSpan> ClockShifts { get; internal set; } = new Dictionary<string, TimeSpan>();

    /// <summary>Gets the older flows this flow was started from (<c>previous_correlation_id</c>).</summary>
    public IReadOnlyList<string> PreviousCorrelationIds => Records.Select(static r => r.PreviousCorrelationId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Gets the service where the flow began, as the lines say (<c>correlation_origin</c>).</summary>
    public string? Origin => Records.Select(static r => r.Origin).FirstOrDefault(static o => o is not null);

    /// <summary>Gets a value indicating whether OpenTelemetry spans are part of the flow.</summary>
    public bool HasSpans => Records.Any(static r => r.Kind != RecordKind.Log);

    /// <summary>Gets the handlings whose first line is earlier than their cause's (clock skew between services).</summary>
    public IEnumerable<MessageHandling> Skewed => Handlings.Where(h => h.ClockSkew is not null);

    public static string StatusText(FlowStatus status) => status switch
    {
        FlowStatus.Failed => "failed",
        FlowStatus.RetriedThenOk => "retried-then-ok",
        _ => "ok",
    };
}
