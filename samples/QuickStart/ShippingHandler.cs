#region quickstart-sqs-handler
using Amazon.SQS.Model;
using Correlation.Messaging.Sqs;

namespace QuickStart;

public sealed class ShippingHandler(ILogger<ShippingHandler> logger) : ISqsMessageHandler
{
    public Task HandleAsync(Message message, CancellationToken cancellationToken)
    {
        logger.LogInformation("Shipping order {OrderId}", message.Body);   // carries correlation_id, causation_id
        return Task.CompletedTask;                                         // throw: the message stays for redelivery
    }
}
#endregion
