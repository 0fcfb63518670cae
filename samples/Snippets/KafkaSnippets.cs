#region kafka-usings
using Confluent.Kafka;
using Correlation.Messaging;
using Correlation.Messaging.Kafka;
using Correlation.Messaging.Propagation;
#endregion
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Snippets;

/// <summary>The snippets of src/Correlation.Messaging.Kafka/README.md (its handler is the quick-start sample's).</summary>
internal static class KafkaSnippets
{
    public static async Task Producer()
    {
        #region kafka-producer
        var propagator = CorrelationPropagator.Default;          // or the DI singleton, or new CorrelationPropagator(options, loggerFactory)
        using var producer = new CorrelatingProducerBuilder<string, string>(
                new ProducerConfig { BootstrapServers = "localhost:9092" }, propagator)
            .Build();                                           // configure it like any ProducerBuilder first

        // The ambient context is used; outside any scope a new correlation ID is generated (debug event).
        await producer.ProduceAsync("orders", new Message<string, string> { Key = "42", Value = "{...}" });
        #endregion
    }

    public static IProducer<string, string> Wrap(IProducer<string, string> existingProducer, CorrelationPropagator propagator)
    {
        #region kafka-wrap-producer
        IProducer<string, string> correlating = existingProducer.WithCorrelation(propagator); // owns existingProducer
        #endregion
        return correlating;
    }

    public static void ProducerWithDependencyInjection(IServiceCollection services, ISerializer<string> mySerializer)
    {
        #region kafka-producer-di
        services.AddCorrelation(o => o.InvalidIdPolicy = InvalidCorrelationIdPolicy.Regenerate)
                .AddKafkaProducer<string, string>(new ProducerConfig { BootstrapServers = "localhost:9092" },
                                                  b => b.SetValueSerializer(mySerializer));
        // inject IProducer<string, string>
        #endregion
    }

    public static void HostedConsumer(WebApplicationBuilder builder)
    {
        #region kafka-hosted-consumer
        builder.Services.AddCorrelation();
        builder.Services.AddKafkaConsumer<string, string, BillingHandler>(
            "orders",
            new ConsumerConfig { BootstrapServers = "localhost:9092", GroupId = "billing", AutoOffsetReset = AutoOffsetReset.Earliest },
            o =>
            {
                o.MaxRetries = 2;                        // then the dead-letter topic
                o.DeadLetterTopic = "orders.dlt";        // same headers as the original + X-Dead-Letter-Source/-Reason
                o.MaxDegreeOfParallelism = 4;            // partitions at once; each partition stays in order
                o.CommitStrategy = KafkaCommitStrategy.AfterEachRecord;   // or Batched (every CommitInterval)
            });
        #endregion
    }

    public static async Task ConsumeLoop(
        CorrelationPropagator propagator,
        ILogger logger,
        IProducer<string, string> invoiceProducer,
        IProducer<string, string> deadLetterProducer,
        CancellationToken stoppingToken)
    {
        #region kafka-consume-loop
        var config = new ConsumerConfig
        {
            BootstrapServers = "localhost:9092",
            GroupId = "billing",
            EnableAutoOffsetStore = false,   // store only what was handled: at-least-once
        };
        using var consumer = new ConsumerBuilder<string, string>(config).Build();
        consumer.Subscribe("orders");
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    // consume -> restore -> handler -> clear (even on exception)
                    var result = consumer.ConsumeWithCorrelation(propagator, record =>
                    {
                        logger.LogInformation("Billing order {Key}", record.Message.Key);  // carries correlation_id, message_id
                        invoiceProducer.Produce("invoices", new Message<string, string> { Value = "..." });
                        // -> same X-Correlation-ID, X-Causation-ID = this record's topic:partition:offset, X-Correlation-Flow one hop deeper
                    }, stoppingToken);
                    consumer.StoreOffset(result);
                }
                catch (ConsumeProcessingException<string, string> ex)
                {
                    // Rejected correlation ID (policy Reject) or handler failure. Nothing was stored or committed:
                    // dead-letter it and move on, or stop without committing so another member reads it again.
                    deadLetterProducer.Produce("orders.dlq", ex.ConsumeResult!.Message);
                    consumer.StoreOffset(ex.ConsumeResult);
                }
                catch (ConsumeException ex) when (!ex.Error.IsFatal)
                {
                    // For example "Subscribed topic not available" before the topic exists: wait, then consume again.
                    logger.LogWarning("Kafka consume error: {Reason}", ex.Error.Reason);
                    await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            consumer.Close();   // commits stored offsets and leaves the group: a restarted member is assigned at once
        }
        #endregion
    }

    public static void Tracing()
    {
        #region kafka-tracing
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource("Correlation.Messaging.Kafka").AddOtlpExporter().Build(); // OpenTelemetry SDK
        #endregion
    }

    /// <summary>The Kafka README's handler, as the quick-start sample has it.</summary>

    #region kafka-hosted-handler
    internal sealed class BillingHandler(ILogger<BillingHandler> logger) : IKafkaHandler<string, string>
    {
        public Task HandleAsync(ConsumeResult<string, string> record, CancellationToken cancellationToken)
        {
            logger.LogInformation("Billing order {Key}", record.Message.Key);   // carries correlation_id, message_id
            return Task.CompletedTask;                                          // throw to retry, then dead-letter
        }
    }
    #endregion
}
