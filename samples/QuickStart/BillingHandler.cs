#region quickstart-kafka-handler
using Amazon.SQS;
using Confluent.Kafka;
using Correlation.Messaging.Kafka;

namespace QuickStart;

public sealed class BillingHandler(IAmazonSQS sqs, IConfiguration configuration, ILogger<BillingHandler> logger)
    : IKafkaHandler<string, string>
{
    public async Task HandleAsync(ConsumeResult<string, string> record, CancellationToken cancellationToken)
    {
        logger.LogInformation("Billing order {Key}", record.Message.Key);   // carries correlation_id, message_id
        var queue = await sqs.GetQueueUrlAsync(configuration["Sqs:ShippingQueue"] ?? "shipping", cancellationToken);
        await sqs.SendMessageAsync(queue.QueueUrl, record.Message.Key, cancellationToken); // X-Correlation-ID attribute
    }                                                                       // throw to retry, then dead-letter
}
#endregion
