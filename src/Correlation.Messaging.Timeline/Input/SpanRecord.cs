namespace Correlation.Messaging.Timeline.Input;

/// <summary>The kind of an OpenTelemetry span (OTLP's <c>SpanKind</c> numbers).</summary>
internal enum SpanKind
{
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}

/// <summary>One OpenTelemetry span read from OTLP/JSON traces (<c>resourceSpans[].scopeSpans[].spans[]</c>).</summary>
internal sealed record SpanRecord
{
    public required string TraceId { get; init; }

    public required string SpanId { get; init; }

    public string? ParentSpanId { get; init; }

    public required string Name { get; init; }

    public SpanKind Kind { get; init; }

    public required DateTimeOffset Start { get; init; }

    public required DateTimeOffset End { get; init; }

    public required string Service { get; init; }

    /// <summary>Gets the correlation ID from <c>messaging.message.conversation_id</c>, <c>correlation.id</c> or <c>correlation_id</c>.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>Gets the message ID (<c>messaging.message.id</c>).</summary>
    public string? MessageId { get; init; }

    /// <summary>Gets the causing message's ID, when the span names it.</summary>
    public string? CausationId { get; init; }

    public int? Depth { get; init; }

    public string? PreviousCorrelationId { get; init; }

    /// <summary>Gets the span contexts this span links to (a consumer's link to its producer).</summary>
    public IReadOnlyList<(string TraceId, string SpanId)> Links { get; init; } = [];

    /// <summary>Gets a value indicating whether the span's status is Error.</summary>
    public bool IsError { get; init; }

    public string? StatusMessage { get; init; }

    public string Source { get; init; } = string.Empty;

    public long LineNumber { get; init; }

    public long Sequence { get; init; }
}
