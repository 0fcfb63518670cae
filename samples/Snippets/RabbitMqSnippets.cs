using Correlation.Messaging;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace Snippets;

/// <summary>The snippets of src/Correlation.Messaging.RabbitMq/README.md (RabbitMQ.Client).</summary>
internal static class RabbitMqSnippets
{
    public static async Task RabbitMqClient(IChannel channel, CorrelationPropagator propagator, ReadOnlyMemory<byte> body, ILogger logger)
    {
        #region rabbitmq-client
        // Publish: the ambient context (or a generated ID) goes into the header, the causation header and correlation_id.
        await channel.BasicPublishAsync("orders", "", mandatory: false, new BasicProperties().WithCorrelation(propagator), body);
        // or: await channel.BasicPublishWithCorrelationAsync("orders", "", body, propagator: propagator);

        // Consume: each delivery's context is ambient while the handlers run, and restored afterwards.
        var consumer = new CorrelatingBasicConsumer(channel, propagator);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            logger.LogInformation("handling {Id}", CorrelationContext.Current!.CorrelationId);
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        };
        await channel.BasicConsumeAsync("orders", autoAck: false, consumer);
        #endregion
    }
}
