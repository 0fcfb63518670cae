namespace Correlation.Messaging.Timeline.Input;

/// <summary>The field names looked up in a log line, per concept, in order of preference (one table for every format).</summary>
internal static class FieldNames
{
    /// <summary>
    /// The ID families, each tried whole: a line written through our logging scope uses snake_case for all three, and a
    /// MassTransit <c>CorrelationId</c>/<c>MessageId</c> scope (a different ID) must not mix into it.
    /// <c>messaging.message.conversation_id</c> is the OpenTelemetry messaging convention's name for the correlation ID.
    /// </summary>
    public static readonly (string Correlation, string Causation, string Message)[] IdFamilies =
    [
        ("correlation_id", "causation_id", "message_id"),
        ("correlationId", "causationId", "messageId"),
        ("correlation-id", "causation-id", "message-id"),
        ("correlation.id", "causation.id", "message.id"),
        ("messaging.message.conversation_id", "messaging.message.causation_id", "messaging.message.id"),
    ];

    public static readonly string[] Timestamp = ["Timestamp", "@t", "@timestamp", "time", "ts", "datetime", "date", "timestamp"];
    public static readonly string[] Level = ["LogLevel", "@l", "level", "log.level", "severity", "lvl", "loglevel", "Level"];
    public static readonly string[] Message = ["@m", "Message", "msg", "RenderedMessage", "text"];
    public static readonly string[] Template = ["@mt", "MessageTemplate", "{OriginalFormat}"];
    public static readonly string[] Exception = ["Exception", "@x", "exception", "error.stack_trace", "stack_trace", "stacktrace", "error"];
    public static readonly string[] Category = ["Category", "SourceContext", "logger", "log.logger", "logger_name", "LoggerName"];
    public static readonly string[] Service = ["service", "service.name", "service_name", "serviceName", "ServiceName", "OTEL_SERVICE_NAME", "otel.service.name", "Application", "app"];
    public static readonly string[] Process = ["process.executable.name", "process_name", "ProcessName", "process"];
    public static readonly string[] Step = ["step"];
    public static readonly string[] Event = ["event", "event_name", "EventName"];
    public static readonly string[] Status = ["status", "outcome"];
    public static readonly string[] Attempt = ["attempt", "attempt_number", "delivery_attempt"];
    public static readonly string[] Retry = ["retry", "retry_count", "retryCount", "retry_attempt", "RetryAttempt", "redelivery_count"];

    /// <summary>The hop depth: 0 at the edge, +1 per hop.</summary>
    public static readonly string[] Depth = ["correlation_depth", "correlationDepth", "correlation.depth"];

    /// <summary>The service where the flow began.</summary>
    public static readonly string[] Origin = ["correlation_origin", "correlationOrigin", "correlation.origin"];

    /// <summary>The older flow a new flow was started from.</summary>
    public static readonly string[] PreviousCorrelationId = ["previous_correlation_id", "previousCorrelationId", "previous_correlation.id", "correlation.previous_id"];

    /// <summary>The W3C trace ID (Serilog <c>@tr</c>, ECS <c>trace.id</c>, the JSON console's activity scope <c>TraceId</c>).</summary>
    public static readonly string[] TraceId = ["TraceId", "@tr", "trace.id", "trace_id", "traceId", "traceid"];

    /// <summary>Objects whose members are read as the line's own fields (later in the list = looked at later).</summary>
    public static readonly string[] PropertyBags = ["State", "Properties", "properties", "fields", "labels", "metadata", "attributes", "Attributes", "context", "extra"];
}
