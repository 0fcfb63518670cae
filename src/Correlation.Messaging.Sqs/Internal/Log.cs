using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Sqs.Internal;

/// <summary>The package's log events (EventIds 300-399).</summary>
internal static partial class Log
{
    public const string CategoryName = "Correlation.Messaging.Sqs";

    [LoggerMessage(300, LogLevel.Debug, "The SQS message has {UserAttributeCount} other message attributes; correlation metadata was packed into the single attribute {AttributeName}.", EventName = "CorrelationAttributesPacked")]
    public static partial void CorrelationAttributesPacked(ILogger logger, int userAttributeCount, string attributeName);

    [LoggerMessage(301, LogLevel.Warning, "Correlation metadata was not written to the SQS message ({Reason}): it already has {UserAttributeCount} message attributes and about {MessageSize} bytes, with a limit of {MaxMessageSize} bytes. The message is sent without it.", EventName = "CorrelationAttributesSkipped")]
    public static partial void CorrelationAttributesSkipped(ILogger logger, string reason, int userAttributeCount, long messageSize, long maxMessageSize);

    [LoggerMessage(302, LogLevel.Debug, "The packed correlation attribute {AttributeName} could not be read ({Reason}); it was ignored.", EventName = "PackedAttributeIgnored")]
    public static partial void PackedAttributeIgnored(ILogger logger, string attributeName, string reason);

    [LoggerMessage(303, LogLevel.Warning, "The MaximumMessageSize of SQS queue {QueueUrl} could not be read ({Reason}); {DefaultMaxMessageSize} bytes are assumed for a while.", EventName = "QueueSizeLimitUnknown")]
    public static partial void QueueSizeLimitUnknown(ILogger logger, string queueUrl, string reason, int defaultMaxMessageSize);

    [LoggerMessage(304, LogLevel.Warning, "Handling SQS message {MessageId} failed; it is left on the queue for redelivery.", EventName = "MessageHandlingFailed")]
    public static partial void MessageHandlingFailed(ILogger logger, Exception exception, string? messageId);

    [LoggerMessage(305, LogLevel.Error, "Deleting handled SQS message {MessageId} failed; it will be delivered again.", EventName = "MessageDeleteFailed")]
    public static partial void MessageDeleteFailed(ILogger logger, Exception exception, string? messageId);

    [LoggerMessage(306, LogLevel.Error, "Receiving from SQS queue {QueueUrl} failed; polling again after a pause.", EventName = "ReceiveFailed")]
    public static partial void ReceiveFailed(ILogger logger, Exception exception, string queueUrl);

    [LoggerMessage(307, LogLevel.Warning, "Changing the visibility of SQS message {MessageId} failed.", EventName = "VisibilityChangeFailed")]
    public static partial void VisibilityChangeFailed(ILogger logger, Exception exception, string? messageId);

    [LoggerMessage(308, LogLevel.Information, "SQS processor for {QueueUrl} stopped; {ReleasedCount} in-flight messages were released for redelivery.", EventName = "ProcessorStopped")]
    public static partial void ProcessorStopped(ILogger logger, string queueUrl, int releasedCount);

    [LoggerMessage(309, LogLevel.Information, "SQS processor for {QueueUrl} started: up to {MaxConcurrency} messages at once, visibility timeout {VisibilityTimeoutSeconds} s, heartbeat every {HeartbeatSeconds} s.", EventName = "ProcessorStarted")]
    public static partial void ProcessorStarted(ILogger logger, string queueUrl, int maxConcurrency, int visibilityTimeoutSeconds, double heartbeatSeconds);

    [LoggerMessage(310, LogLevel.Warning, "The correlation pipeline handler could not process an SQS {Operation} request; the request was sent unchanged.", EventName = "PipelineHandlerFailed")]
    public static partial void PipelineHandlerFailed(ILogger logger, Exception exception, string operation);

    [LoggerMessage(312, LogLevel.Debug, "The outgoing SQS message already carries the valid correlation ID {CorrelationId}; it is kept, though {AmbientCorrelationId} is ambient.", EventName = "ExistingCorrelationIdKeptInScope")]
    public static partial void ExistingCorrelationIdKeptInScope(ILogger logger, string correlationId, string ambientCorrelationId);

    [LoggerMessage(311, LogLevel.Debug, "Extended the visibility of SQS message {MessageId} by {VisibilityTimeoutSeconds} s; its handler is still running.", EventName = "VisibilityExtended")]
    public static partial void VisibilityExtended(ILogger logger, string? messageId, int visibilityTimeoutSeconds);

    [LoggerMessage(313, LogLevel.Warning, "SQS queue {QueueName} does not exist (yet); the processor looks for it again in {PauseSeconds} s.", EventName = "QueueNotFound")]
    public static partial void QueueNotFound(ILogger logger, string queueName, double pauseSeconds);
}
