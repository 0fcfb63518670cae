using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Logging;

/// <summary>
/// Every log event of the library, with fixed event IDs. Values are sanitized before they reach a message.
/// </summary>
internal static partial class Log
{
    public const string CategoryName = "Correlation.Messaging";

    [LoggerMessage(1, LogLevel.Debug, "No inbound correlation ID; generated {CorrelationId}.", EventName = "CorrelationIdGenerated")]
    public static partial void CorrelationIdGenerated(ILogger logger, string correlationId);

    [LoggerMessage(2, LogLevel.Debug, "No ambient correlation context for an outgoing message; generated {CorrelationId}.", EventName = "OutgoingCorrelationIdGenerated")]
    public static partial void OutgoingCorrelationIdGenerated(ILogger logger, string correlationId);

    [LoggerMessage(3, LogLevel.Warning, "Inbound correlation ID in {HeaderName} was invalid ({Problem}); replaced with {CorrelationId}. Sanitized value: \"{SanitizedValue}\".", EventName = "InvalidCorrelationIdReplaced")]
    public static partial void InvalidCorrelationIdReplaced(ILogger logger, string headerName, CorrelationIdProblem problem, string correlationId, string sanitizedValue);

    [LoggerMessage(4, LogLevel.Warning, "Inbound correlation ID in {HeaderName} was rejected ({Problem}). Sanitized value: \"{SanitizedValue}\".", EventName = "InvalidCorrelationIdRejected")]
    public static partial void InvalidCorrelationIdRejected(ILogger logger, string? headerName, CorrelationIdProblem problem, string? sanitizedValue);

    [LoggerMessage(5, LogLevel.Debug, "Inbound causation ID in {HeaderName} was ignored ({Problem}). Sanitized value: \"{SanitizedValue}\".", EventName = "InvalidCausationIdIgnored")]
    public static partial void InvalidCausationIdIgnored(ILogger logger, string headerName, CorrelationIdProblem problem, string sanitizedValue);

    [LoggerMessage(6, LogLevel.Debug, "Header {HeaderName} appeared more than once (several spellings or repeats); the exact spelling, else the last occurrence, was used.", EventName = "DuplicateHeader")]
    public static partial void DuplicateHeader(ILogger logger, string headerName);

    [LoggerMessage(8, LogLevel.Debug, "No ambient correlation context for an outgoing message; the valid correlation ID {CorrelationId} it already carried was kept.", EventName = "ExistingCorrelationIdKept")]
    public static partial void ExistingCorrelationIdKept(ILogger logger, string correlationId);

    [LoggerMessage(7, LogLevel.Debug, "Inbound correlation ID in {HeaderName} is outside the allowed characters and was trusted by policy.", EventName = "CorrelationIdTrusted")]
    public static partial void CorrelationIdTrusted(ILogger logger, string headerName);

    [LoggerMessage(9, LogLevel.Warning, "Inbound flow metadata in {HeaderName} was malformed ({Problem}); the flow restarts at this hop. Sanitized value: \"{SanitizedValue}\".", EventName = "InvalidFlowMetadataReplaced")]
    public static partial void InvalidFlowMetadataReplaced(ILogger logger, string headerName, string problem, string sanitizedValue);

    [LoggerMessage(10, LogLevel.Warning, "Inbound flow depth {Depth} is above MaxDepth {MaxDepth} (a message that republishes itself?); policy {Policy}.", EventName = "FlowDepthLimitExceeded")]
    public static partial void FlowDepthLimitExceeded(ILogger logger, int depth, int maxDepth, FlowDepthLimitPolicy policy);

    [LoggerMessage(11, LogLevel.Debug, "Started the new flow {CorrelationId}, linked to the previous flow {PreviousCorrelationId}.", EventName = "NewFlowStarted")]
    public static partial void NewFlowStarted(ILogger logger, string correlationId, string? previousCorrelationId);

    [LoggerMessage(40, LogLevel.Warning, "Stored correlation capsule was unreadable ({Problem}); the deferred work runs under the new correlation ID {CorrelationId}. Sanitized capsule: \"{SanitizedValue}\".", EventName = "CorrelationCapsuleUnreadable")]
    public static partial void CapsuleUnreadable(ILogger logger, CorrelationCapsuleProblem problem, string correlationId, string sanitizedValue);

    [LoggerMessage(41, LogLevel.Debug, "Deferred work was scheduled outside any flow; it runs under the new correlation ID {CorrelationId}.", EventName = "CorrelationCapsuleEmpty")]
    public static partial void CapsuleEmpty(ILogger logger, string correlationId);

    [LoggerMessage(42, LogLevel.Warning, "Stored correlation capsule was refused by policy ({Problem}); the deferred work runs under the new correlation ID {CorrelationId}.", EventName = "CorrelationCapsuleRejected")]
    public static partial void CapsuleRejected(ILogger logger, CorrelationIdProblem problem, string correlationId);
}
