using Confluent.Kafka;
using Demo.Shared;
using MassTransit;
using System.Globalization;
using System.Text.Json;

namespace Orders.Worker;

/// <summary>
/// Consumes OrderPlaced and produces one <see cref="OrderLineRequested"/> Kafka record per order line. For the orders
/// named in DEMO_FAIL_ONCE_ORDERS, the first attempt fails with a simulated transient error and MassTransit retries it.
/// </summary>
internal sealed partial class OrderPlacedConsumer(IProducer<string, string> producer, FailOnce failOnce, ILogger<OrderPlacedConsumer> logger) : IConsumer<OrderPlaced>
{
    public async Task Consume(ConsumeContext<OrderPlaced> context)
    {
        var order = context.Message;
        var attempt = context.GetRetryAttempt() + 1;
        Consuming(logger, order.OrderId, order.Lines.Count, attempt);

        if (failOnce.ShouldFail(order.OrderId))
        {
            // Before anything is produced, so the retry does not duplicate records.
            throw new TimeoutException($"Pricing service did not answer for order {order.OrderId} (simulated transient failure).");
        }

        for (var i = 0; i < order.Lines.Count; i++)
        {
            var line = order.Lines[i];
            var lineId = string.Create(CultureInfo.InvariantCulture, $"{order.OrderId}-{i + 1}");
            var record = new OrderLineRequested(order.OrderId, lineId, line.Sku, line.Quantity);
            var result = await producer.ProduceAsync(
                DemoNames.OrderLinesTopic,
                new Message<string, string> { Key = lineId, Value = JsonSerializer.Serialize(record) },
                context.CancellationToken);
            Produced(logger, lineId, result.Topic, result.Partition.Value, result.Offset.Value);
        }

        FannedOut(logger, order.OrderId, order.Lines.Count);
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Consuming OrderPlaced for order {OrderId} with {LineCount} lines (attempt {Attempt})")]
    private static partial void Consuming(ILogger logger, string orderId, int lineCount, int attempt);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Produced OrderLineRequested {LineId} to Kafka topic {Topic} [{Partition}] @{Offset}")]
    private static partial void Produced(ILogger logger, string lineId, string topic, int partition, long offset);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "Fanned out order {OrderId} into {LineCount} order lines")]
    private static partial void FannedOut(ILogger logger, string orderId, int lineCount);
}

/// <summary>Retries a failed OrderPlaced twice, 300 ms apart; MassTransit logs each retry (R-RETRY) in the scope.</summary>
internal sealed class OrderPlacedConsumerDefinition : ConsumerDefinition<OrderPlacedConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<OrderPlacedConsumer> consumerConfigurator, IRegistrationContext context) =>
        endpointConfigurator.UseMessageRetry(r => r.Interval(2, TimeSpan.FromMilliseconds(300)));
}
