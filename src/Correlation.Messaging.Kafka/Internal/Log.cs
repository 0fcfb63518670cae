using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Kafka.Internal;

/// <summary>The package's log events (EventIds 200-299).</summary>
internal static partial class Log
{
    [LoggerMessage(200, LogLevel.Warning, "A correlation context ({CorrelationId}) was still ambient at the start of a Kafka consume iteration; it was cleared. Dispose every correlation scope opened in the consume loop.", EventName = "LeakedContextCleared")]
    public static partial void LeakedContextCleared(ILogger logger, string correlationId);

    [LoggerMessage(201, LogLevel.Debug, "Kafka record {MessageId} has no valid message ID header; its topic:partition:offset reference is used as its message ID.", EventName = "MessageIdFromOffset")]
    public static partial void MessageIdFromOffset(ILogger logger, string messageId);

    [LoggerMessage(202, LogLevel.Warning, "Rewinding {TopicPartitionOffset} after a failed batch record failed; records after the failed one may be skipped unless the consumer stops without committing.", EventName = "BatchRewindFailed")]
    public static partial void BatchRewindFailed(ILogger logger, Exception exception, string topicPartitionOffset);

    [LoggerMessage(203, LogLevel.Information, "Kafka consumer {Handler} subscribed to {Topic} in group {GroupId}.", EventName = "ConsumerStarted")]
    public static partial void ConsumerStarted(ILogger logger, string handler, string topic, string? groupId);

    [LoggerMessage(204, LogLevel.Warning, "Kafka consume error on {Topic} ({Code}: {Reason}); consuming again in {DelayMs} ms.", EventName = "ConsumeErrorRetrying")]
    public static partial void ConsumeErrorRetrying(ILogger logger, string topic, ErrorCode code, string reason, long delayMs);

    [LoggerMessage(205, LogLevel.Critical, "Fatal Kafka error on {Topic} ({Code}: {Reason}): the consumer stops and stops the host; offsets of unhandled records are not committed.", EventName = "ConsumeErrorFatal")]
    public static partial void ConsumeErrorFatal(ILogger logger, string topic, ErrorCode code, string reason);

    [LoggerMessage(206, LogLevel.Warning, "Handling Kafka record {TopicPartitionOffset} failed (attempt {Attempt} of {Attempts}); retrying in {DelayMs} ms.", EventName = "HandlerRetrying")]
    public static partial void HandlerRetrying(ILogger logger, Exception exception, string topicPartitionOffset, int attempt, int attempts, long delayMs);

    [LoggerMessage(207, LogLevel.Error, "Kafka record {TopicPartitionOffset} was sent to dead-letter topic {DeadLetterTopic} after {Attempts} attempt(s).", EventName = "RecordDeadLettered")]
    public static partial void RecordDeadLettered(ILogger logger, Exception exception, string topicPartitionOffset, string deadLetterTopic, int attempts);

    [LoggerMessage(208, LogLevel.Critical, "Kafka record {TopicPartitionOffset} could not be handled after {Attempts} attempt(s) nor dead-lettered ({Why}): its offset is not committed and the host stops, so that it is read again once the fault is fixed.", EventName = "RecordNotDeadLettered")]
    public static partial void RecordNotDeadLettered(ILogger logger, Exception exception, string topicPartitionOffset, int attempts, string why);

    [LoggerMessage(209, LogLevel.Warning, "Committing Kafka offsets of {Topic} failed ({Code}: {Reason}).", EventName = "CommitFailed")]
    public static partial void CommitFailed(ILogger logger, string topic, ErrorCode code, string reason);

    [LoggerMessage(210, LogLevel.Information, "Kafka consumer {Handler} on {Topic} committed its offsets and left group {GroupId}.", EventName = "ConsumerStopped")]
    public static partial void ConsumerStopped(ILogger logger, string handler, string topic, string? groupId);

    [LoggerMessage(211, LogLevel.Warning, "Kafka client error on {Topic} ({Code}: {Reason}).", EventName = "ClientError")]
    public static partial void ClientError(ILogger logger, string topic, ErrorCode code, string reason);
}
