using System.Text.Json;
using Confluent.Kafka;
using Correlation.Messaging.Kafka;
using Correlation.Messaging.Propagation;
using Amazon.SQS;
using Amazon.SQS.Model;
using Demo.Shared;
using Demo.Shared.Logging;

namespace Inventory.Service;

/// <summary>
/// The consumer group "inventory-service" on the Kafka topic order-lines: every record is handled inside its
/// correlation scope (ConsumeWithCorrelationAsync), reserves stock and sends one ShipmentRequested to SQS.
/// </summary>
internal sealed partial class OrderLineConsumer(
    IAmazonSQS sqs,
    CorrelationPropagator propagator,
    IConfiguration configuration,
    ILogger<OrderLineConsumer> logger) : BackgroundService
{
    private static readonly string[] Warehouses = ["north", "south"];

    // Confluent's Consume blocks: run the loop on its own thread.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => RunAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var bootstrap = DemoSettings.KafkaBootstrapServers(configuration);
        var topic = await KafkaTopics.EnsureAsync(bootstrap, DemoSettings.KafkaMockControl(configuration), DemoNames.OrderLinesTopic, 4, stoppingToken);
        var queueUrl = (await sqs.CreateQueueAsync(DemoNames.ShipmentsQueue, stoppingToken)).QueueUrl;

        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "inventory-service",
            GroupProtocol = GroupProtocol.Consumer,          // KIP-848: quick joins and rejoins
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,                        // commit only what was handled (at-least-once)
        };
        var ready = false;
        using var consumer = new ConsumerBuilder<string, string>(config)
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                if (!ready && partitions.Count > 0)
                {
                    ready = true;
                    DemoLog.ServiceReady(logger, $"Kafka group inventory-service on {DemoNames.OrderLinesTopic} ({partitions.Count} partitions); {topic}; sending to {queueUrl}");
                }
            })
            .Build();
        consumer.Subscribe(DemoNames.OrderLinesTopic);

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var result = await consumer.ConsumeWithCorrelationAsync(
                        propagator,
                        (record, ct) => HandleAsync(record, queueUrl, ct),
                        stoppingToken);
                    Commit(consumer, result);
                }
                catch (ConsumeProcessingException<string, string> ex)
                {
                    // Handler failure or rejected ID: the demo logs it and moves on (a real service would dead-letter it).
                    HandlingFailed(logger, ex.InnerException ?? ex, ex.ConsumeResult?.Message?.Key);
                    if (ex.ConsumeResult is { } failed)
                    {
                        Commit(consumer, failed);
                    }
                }
                catch (ConsumeException ex) when (!ex.Error.IsFatal)
                {
                    ConsumeError(logger, ex.Error.Reason);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            consumer.Close();
        }
    }

    private void Commit(IConsumer<string, string> consumer, ConsumeResult<string, string> result)
    {
        try
        {
            consumer.Commit(result);
        }
        catch (KafkaException ex)
        {
            CommitFailed(logger, ex, result.TopicPartitionOffset.ToString());
        }
    }

    private async Task HandleAsync(ConsumeResult<string, string> record, string queueUrl, CancellationToken cancellationToken)
    {
        var line = JsonSerializer.Deserialize<OrderLineRequested>(record.Message.Value)
            ?? throw new InvalidOperationException("Empty OrderLineRequested record.");
        Reserving(logger, line.LineId, line.Sku, line.Quantity, record.Partition.Value, record.Offset.Value);

        var warehouse = Warehouses[(line.Sku.Length + line.Quantity) % Warehouses.Length];
        var shipment = new ShipmentRequested(line.OrderId, line.LineId, line.Sku, line.Quantity, warehouse);
        var response = await sqs.SendMessageAsync(
            new SendMessageRequest { QueueUrl = queueUrl, MessageBody = JsonSerializer.Serialize(shipment) },
            cancellationToken);
        Reserved(logger, line.LineId, warehouse, DemoNames.ShipmentsQueue, response.MessageId);
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "Reserving stock for order line {LineId} ({Sku} x{Quantity}) from Kafka [{Partition}] @{Offset}")]
    private static partial void Reserving(ILogger logger, string lineId, string sku, int quantity, int partition, long offset);

    [LoggerMessage(EventId = 31, Level = LogLevel.Information, Message = "Reserved stock for order line {LineId} in warehouse {Warehouse}; sent ShipmentRequested to SQS queue {Queue} as {SqsMessageId}")]
    private static partial void Reserved(ILogger logger, string lineId, string warehouse, string queue, string? sqsMessageId);

    [LoggerMessage(EventId = 32, Level = LogLevel.Error, Message = "Order line record {Key} could not be handled; skipped")]
    private static partial void HandlingFailed(ILogger logger, Exception exception, string? key);

    [LoggerMessage(EventId = 34, Level = LogLevel.Warning, Message = "Could not commit {Offset}; the record may be handled again")]
    private static partial void CommitFailed(ILogger logger, Exception exception, string offset);

    [LoggerMessage(EventId = 33, Level = LogLevel.Warning, Message = "Kafka consume error: {Reason}")]
    private static partial void ConsumeError(ILogger logger, string reason);
}
