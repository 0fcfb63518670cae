using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs.Client;
using Correlation.Messaging.Sqs.Propagation;

namespace Correlation.Messaging.Sqs;

/// <summary>
/// Restores correlation from a received <see cref="SqsMessage"/>, one scope per message.
/// </summary>
public static class SqsMessageExtensions
{
    /// <summary>
    /// Reads the message's correlation metadata and makes it ambient, with a logging scope, until the returned scope is
    /// disposed. The message's SQS <see cref="SqsMessage.MessageId"/> becomes the causation ID of messages sent meanwhile.
    /// </summary>
    /// <param name="message">The received message.</param>
    /// <param name="propagator">The propagator.</param>
    /// <returns>The scope; dispose it when the message is handled.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> or <paramref name="propagator"/> is <see langword="null"/>.</exception>
    /// <exception cref="CorrelationIdRejectedException">The value is invalid or missing and the policy is to reject it.</exception>
    public static CorrelationScope BeginCorrelationScope(this SqsMessage message, CorrelationPropagator propagator)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(propagator);
        return SqsCorrelationAttributes.BeginConsumeScope<MessageAttributeValue, MessageAttributeValueAccessor>(
            propagator, message.MessageAttributes, message.MessageId);
    }

    /// <summary>Reads and validates the message's correlation metadata without making it ambient.</summary>
    /// <param name="message">The received message.</param>
    /// <param name="propagator">The propagator.</param>
    /// <returns>The correlation ID to use, with its source.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> or <paramref name="propagator"/> is <see langword="null"/>.</exception>
    /// <exception cref="CorrelationIdRejectedException">The value is invalid or missing and the policy is to reject it.</exception>
    public static ExtractedCorrelation ExtractCorrelation(this SqsMessage message, CorrelationPropagator propagator)
    {
        ArgumentNullException.ThrowIfNull(message);
        return SqsCorrelationAttributes.Extract(propagator, message.MessageAttributes);
    }
}
