using Amazon.SQS.Model;

namespace Correlation.Messaging.Sqs;

/// <summary>
/// Handles one SQS message for a processor registered with <c>AddSqsProcessor&lt;THandler&gt;</c>. It is resolved from
/// a new dependency-injection scope per message, with the message's correlation context already ambient.
/// </summary>
public interface ISqsMessageHandler
{
    /// <summary>Handles one message. Throw to leave it on the queue for redelivery; return to have it deleted.</summary>
    /// <param name="message">The received message.</param>
    /// <param name="cancellationToken">Cancelled when the processor stops.</param>
    /// <returns>A task that completes when the message is handled.</returns>
    Task HandleAsync(Message message, CancellationToken cancellationToken);
}
