using Confluent.Kafka;
using Correlation.Messaging.Kafka;

namespace QuickStart;

#region kafka-hosted-handler
public sealed class BillingHandler(ILogger<BillingHandler> logger) : IKafkaHandler<string, string>
{
    public Task HandleAsync(ConsumeResult<string, string> record, CancellationToken cancellationToken)
    {
        logger.LogInformation("Billing order {Key}", record.Message.Key);   // carries correlation_id, message_id
        return Task.CompletedTask;                                          // throw to retry, then dead-letter
    }
}
#endregion
