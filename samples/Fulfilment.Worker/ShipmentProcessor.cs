using System.Text.Json;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs;
using Amazon.SQS;
using Amazon.SQS.Model;
using Demo.Shared;
using Demo.Shared.Logging;
using Hangfire;

namespace Fulfilment.Worker;

/// <summary>
/// Long-polls the SQS queue shipments with <see cref="SqsMessageProcessor"/>: each message's correlation context and
/// logging scope are restored before the handler runs; the message is deleted when the handler succeeds.
/// </summary>
internal sealed partial class ShipmentProcessor(
    IAmazonSQS sqs,
    CorrelationPropagator propagator,
    IBackgroundJobClient jobs,
    ILoggerFactory loggerFactory,
    ILogger<ShipmentProcessor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queueUrl = (await sqs.CreateQueueAsync(DemoNames.ShipmentsQueue, stoppingToken)).QueueUrl;
        var processor = new SqsMessageProcessor(sqs, propagator, new SqsProcessorOptions
        {
            QueueUrl = queueUrl,
            MaxConcurrency = 4,
            WaitTimeSeconds = 2,
        }, loggerFactory);

        DemoLog.ServiceReady(logger, $"polling SQS queue {queueUrl}");
        await processor.RunAsync(HandleAsync, stoppingToken);
    }

    private async Task HandleAsync(Message message, CancellationToken cancellationToken)
    {
        var shipment = JsonSerializer.Deserialize<ShipmentRequested>(message.Body ?? "null")
            ?? throw new InvalidOperationException("Empty ShipmentRequested message.");
        Fulfilling(logger, shipment.LineId, shipment.Warehouse);

        await Task.Delay(TimeSpan.FromMilliseconds(20 + (shipment.Quantity * 10)), cancellationToken); // picking and packing

        Completed(logger, shipment.LineId, "completed", shipment.OrderId);
        jobs.Enqueue<ShippingEmailJob>(job => job.SendAsync(shipment.OrderId, shipment.LineId, CancellationToken.None));
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "Fulfilling shipment for order line {LineId} from warehouse {Warehouse}")]
    private static partial void Fulfilling(ILogger logger, string lineId, string warehouse);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "Order line {LineId} {Status} (order {OrderId})")]
    private static partial void Completed(ILogger logger, string lineId, string status, string orderId);
}
