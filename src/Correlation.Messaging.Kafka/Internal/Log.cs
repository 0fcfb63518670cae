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
}
