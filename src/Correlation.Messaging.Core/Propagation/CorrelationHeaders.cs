namespace Correlation.Messaging.Propagation;

/// <summary>
/// The default header names, the read aliases, and the structured-log field names, in one place.
/// </summary>
public static class CorrelationHeaders
{
    /// <summary>The canonical correlation ID header on every broker and on HTTP: <c>X-Correlation-ID</c>.</summary>
    public const string CorrelationId = "X-Correlation-ID";

    /// <summary>The causation ID header: <c>X-Causation-ID</c>.</summary>
    public const string CausationId = "X-Causation-ID";

    /// <summary>The per-message ID header, for brokers without a message ID of their own: <c>X-Message-ID</c>.</summary>
    public const string MessageId = "X-Message-ID";

    /// <summary>The flow metadata header (depth, origin, start and previous flow; see <c>docs/wire-format.md</c>): <c>X-Correlation-Flow</c>.</summary>
    public const string FlowMetadata = "X-Correlation-Flow";

    /// <summary>The request ID header, read as the last alias only when enabled: <c>X-Request-ID</c>.</summary>
    public const string RequestId = "X-Request-ID";

    /// <summary>A common lower-case spelling (Kafka tooling, many hand-rolled filters): <c>correlation-id</c>.</summary>
    public const string CorrelationIdLowerKebab = "correlation-id";

    /// <summary>The spelling used by many .NET applications: <c>CorrelationId</c>.</summary>
    public const string CorrelationIdPascal = "CorrelationId";

    /// <summary>Rebus's correlation header: <c>rbs2-corr-id</c>.</summary>
    public const string Rebus = "rbs2-corr-id";

    /// <summary>NServiceBus's correlation header: <c>NServiceBus.CorrelationId</c>.</summary>
    public const string NServiceBus = "NServiceBus.CorrelationId";

    /// <summary>The name used in logs and exceptions for a broker's native correlation property (the AMQP <c>correlation_id</c>).</summary>
    internal const string NativePropertyName = "correlation_id (native property)";

    /// <summary>The structured-log field of the correlation ID: <c>correlation_id</c>.</summary>
    public const string CorrelationIdLogField = "correlation_id";

    /// <summary>The structured-log field of the causation ID: <c>causation_id</c>.</summary>
    public const string CausationIdLogField = "causation_id";

    /// <summary>The structured-log field of the message being handled: <c>message_id</c>.</summary>
    public const string MessageIdLogField = "message_id";

    /// <summary>The structured-log field of the flow depth (0 where the flow is handled first): <c>correlation_depth</c>.</summary>
    public const string DepthLogField = "correlation_depth";

    /// <summary>The structured-log field of the service that started the flow: <c>correlation_origin</c>.</summary>
    public const string OriginLogField = "correlation_origin";

    /// <summary>The structured-log field of the flow a new flow was started from, present only then: <c>previous_correlation_id</c>.</summary>
    public const string PreviousCorrelationIdLogField = "previous_correlation_id";

    /// <summary>Gets the default read aliases, in precedence order.</summary>
    public static IReadOnlyList<string> DefaultAliases { get; } =
        [CorrelationIdLowerKebab, CorrelationIdPascal, Rebus, NServiceBus];
}
