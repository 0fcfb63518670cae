#region quickstart-masstransit-consumer
using Confluent.Kafka;
using MassTransit;

namespace QuickStart;

public sealed class RequestBillingConsumer(IProducer<string, string> producer, ILogger<RequestBillingConsumer> logger)
    : IConsumer<OrderPlaced>
{
    public async Task Consume(ConsumeContext<OrderPlaced> context)
    {
        logger.LogInformation("Order {OrderId} placed: asking billing", context.Message.OrderId);
        await producer.ProduceAsync("orders", new Message<string, string> { Key = context.Message.OrderId, Value = "bill" });
    }
}
#endregion
