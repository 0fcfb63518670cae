using Correlation.Messaging.Timeline.Input;

namespace Correlation.Messaging.Timeline.Cli;

/// <summary>
/// Keeps, while the inputs stream by, only what one flow needs: the records of the flows whose ID starts with the
/// asked ID, the records of the flows linked to them, and the spans that may join them by trace ID.
/// </summary>
internal sealed class FlowCollector(LogReader reader, string id) : IRecordSink
{
    public List<LogRecord> Records { get; } = [];

    /// <summary>Gets the records of linked flows (started from the asked flow, or the asked flow's previous flows).</summary>
    public List<LogRecord> Linked { get; } = [];

    public List<SpanRecord> Spans { get; } = [];

    /// <summary>Gets or sets the correlation IDs whose records are linked flows (the second pass's previous flows).</summary>
    public HashSet<string> LinkedIds { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the trace IDs whose spans join the flow (the second pass).</summary>
    public HashSet<string> TraceIds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Gets or sets a value indicating whether records of the asked flow are ignored (read in the first pass already).</summary>
    public bool SecondPass { get; set; }

    public long NextSequence() => reader.NextSequence();

    public void Add(LogRecord record)
    {
        if (record.CorrelationId.StartsWith(id, StringComparison.OrdinalIgnoreCase))
        {
            if (!SecondPass)
            {
                Records.Add(record);
            }
        }
        else if (LinkedIds.Contains(record.CorrelationId)
            || (!SecondPass && record.PreviousCorrelationId?.StartsWith(id, StringComparison.OrdinalIgnoreCase) == true))
        {
            Linked.Add(record);
        }
    }

    public void Add(SpanRecord span)
    {
        if (span.CorrelationId is { } correlation)
        {
            if (correlation.StartsWith(id, StringComparison.OrdinalIgnoreCase) ? !SecondPass : TraceIds.Contains(span.TraceId))
            {
                Spans.Add(span);
            }
        }
        else if (!SecondPass || TraceIds.Contains(span.TraceId))
        {
            Spans.Add(span);
        }
    }
}
