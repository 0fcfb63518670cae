using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Sqs.Internal;

/// <summary>The package's log events (EventIds 300-399).</summary>
internal static partial class Log
{
    public const string CategoryName = "Correlation.Messaging.Sqs";

    [LoggerMessage(300, LogLevel.Debug, "The SQS message has {UserAttributeCount} other message attributes; correlation metadata was packed into the single attribute {AttributeName}.", EventName = "CorrelationAttributesPacked")]
    public static partial void CorrelationAttributesPacked(ILogger logger, int userAttributeCount, string attributeName);

    [LoggerMessage(301, LogLevel.Warning, "Correlation metadata was not written to the SQS message ({Reason}): it already has {UserAttributeCount} message attributes and about {MessageSize} bytes. The message is sent without it.", EventName = "CorrelationAttributesSkipped")]
    public static partial void CorrelationAttributesSkipped(ILogger logger, string reason, int userAttributeCount, long messageSize);

    [LoggerMessage(302, LogLevel.Debug, "The packed correlation attribute {AttributeName} could not be read ({Reason}); it was ignored.", EventName = "PackedAttributeIgnored")]
    public static partial void PackedAttributeIgnored(ILogger logger, string attributeName, string reason);

    [LoggerMessage(303, LogLevel.Information, "SQS {Operation} failed ({Reason}); retry {Attempt} of {MaxRetries} in {DelayMilliseconds} ms.", EventName = "SqsCallRetrying")]
    public static partial void SqsCallRetrying(ILogger logger, string operation, string reason, int attempt, int maxRetries, long delayMilliseconds);

    [LoggerMessage(304, LogLevel.Warning, "Handling SQS message {MessageId} failed; it is left on the queue for redelivery.", EventName = "MessageHandlingFailed")]
    public static partial void MessageHandlingFailed(ILogger logger, Exception exception, string? messageId);

    [LoggerMessage(305, LogLevel.Error, "Deleting handled SQS message {MessageId} failed; it will be delivered again.", EventName = "MessageDeleteFailed")]
    public static partial void MessageDeleteFailed(ILogger logger, Exception exception, string? messageId);

    [LoggerMessage(306, LogLevel.Error, "Receiving from SQS queue {QueueUrl} failed; polling again after a pause.", EventName = "ReceiveFailed")]
    public static partial void ReceiveFailed(ILogger logger, Exception exception, string queueUrl);

    [LoggerMessage(307, LogLevel.Warning, "Changing the visibility of SQS message {MessageId} failed.", EventName = "VisibilityChangeFailed")]
    public static partial void VisibilityChangeFailed(ILogger logger, Exception exception, string? messageId);

    [LoggerMessage(308, LogLevel.Information, "SQS processor for {QueueUrl} stopped; {ReleasedCount} received but unstarted messages were released.", EventName = "ProcessorStopped")]
    public static partial void ProcessorStopped(ILogger logger, string queueUrl, int releasedCount);
}
