using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.RabbitMq.Internal;

/// <summary>The package's log events (EventIds 100-199). Values are IDs that passed validation, or sanitized.</summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Debug, "The correlation ID is {ByteCount} UTF-8 bytes, longer than the 255 an AMQP correlation_id can hold; it was written to the {HeaderName} header only.", EventName = "CorrelationIdPropertyTooLong")]
    public static partial void CorrelationIdPropertyTooLong(ILogger logger, int byteCount, string headerName);

    [LoggerMessage(101, LogLevel.Warning, "RabbitMQ delivery {DeliveryTag} on {ConsumerTag} was rejected without requeue because its correlation ID was rejected by policy; it goes to the queue's dead-letter exchange, if one is configured.", EventName = "DeliveryRejected")]
    public static partial void DeliveryRejected(ILogger logger, ulong deliveryTag, string consumerTag);

    [LoggerMessage(102, LogLevel.Warning, "RabbitMQ delivery {DeliveryTag} on {ConsumerTag} had its correlation ID rejected by policy, and the consumer does not reject deliveries itself; the handlers were not called.", EventName = "DeliverySkipped")]
    public static partial void DeliverySkipped(ILogger logger, ulong deliveryTag, string consumerTag);
}
