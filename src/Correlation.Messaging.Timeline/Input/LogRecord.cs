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

    /// <summary>Gets the file (or <c>stdin</c>) the line came from.</summary>
    public string Source { get; init; } = string.Empty;

    public long LineNumber { get; init; }

    /// <summary>Gets the order in which the line was read across all inputs; breaks timestamp ties.</summary>
    public long Sequence { get; init; }
}
