namespace Correlation.Messaging.Timeline.Input;

/// <summary>How severe one log line is, normalised across logging libraries.</summary>
internal enum Severity
{
    Trace = 0,
    Debug = 1,
    Information = 2,
    Warning = 3,
    Error = 4,
    Critical = 5,
}

/// <summary>What a <see cref="LogRecord"/> stands for.</summary>
internal enum RecordKind
{
    /// <summary>A log line.</summary>
    Log,

    /// <summary>The start of an OpenTelemetry span (the bar of its handling begins here).</summary>
    SpanStart,

    /// <summary>The end of an OpenTelemetry span.</summary>
    SpanEnd,
}

/// <summary>One log line that belongs to a flow: it carried a correlation ID (and usually a timestamp).</summary>
internal sealed record LogRecord
{
    /// <summary>Gets the line's time; for a line without one (<see cref="HasTimestamp"/> is false), its place in causation order.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets a value indicating whether the line carried its own timestamp.</summary>
    public bool HasTimestamp { get; init; } = true;

    public required string CorrelationId { get; init; }

    public string? CausationId { get; init; }

    public string? MessageId { get; init; }

    /// <summary>Gets the service name: a <c>service</c> or <c>service.name</c> field, a process field, the file name, or (when asked) the logger category.</summary>
    public required string Service { get; init; }

    public string? Category { get; init; }

    public Severity Severity { get; init; } = Severity.Information;

    /// <summary>Gets the rendered message text (empty when the line had none).</summary>
    public string Message { get; init; } = string.Empty;

    /// <summary>Gets the step name: the <c>step</c> or <c>event</c> field, else the message text.</summary>
    public required string Step { get; init; }

    /// <summary>Gets the retry number the line belongs to (0 = first attempt), when the line said so.</summary>
    public int? RetryNumber { get; init; }

    public string? Status { get; init; }

    public string? Exception { get; init; }

    /// <summary>Gets a value indicating whether the line reports a failure (error level, fault marker, failed status, exception).</summary>
    public bool IsFailure { get; init; }

    /// <summary>Gets a value indicating whether the line reports a retry (retry marker, retry status, retry number &gt; 0).</summary>
    public bool IsRetry { get; init; }

    /// <summary>Gets a value indicating whether the line reports that the work is done (a completed/succeeded status).</summary>
    public bool IsCompletion { get; init; }

    /// <summary>Gets the hop depth the line was logged at (<c>correlation_depth</c>: 0 at the edge, +1 per hop), when it said.</summary>
    public int? Depth { get; init; }

    /// <summary>Gets the service where the flow began (<c>correlation_origin</c>), when the line said.</summary>
    public string? Origin { get; init; }

    /// <summary>Gets the older flow this flow was started from (<c>previous_correlation_id</c>), when the line said.</summary>
    public string? PreviousCorrelationId { get; init; }

    /// <summary>Gets the W3C trace ID of the line, when it carried one (joins OTLP spans that name no correlation ID).</summary>
    public string? TraceId { get; init; }

    /// <summary>Gets what the record stands for: a log line, or the start or end of a span.</summary>
    public RecordKind Kind { get; init; }

    /// <summary>Gets the span's name and duration text, for a record of a span.</summary>
    public string? SpanName { get; init; }

    /// <summary>Gets the file (or <c>stdin</c>) the line came from.</summary>
    public string Source { get; init; } = string.Empty;

    public long LineNumber { get; init; }

    /// <summary>Gets the order in which the line was read across all inputs; breaks timestamp ties.</summary>
    public long Sequence { get; init; }
}
