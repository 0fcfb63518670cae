using Correlation.Messaging;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Trace;
using RabbitMQ.Client;

namespace Snippets;

/// <summary>The snippets of src/Correlation.Messaging.RabbitMq/README.md.</summary>
internal static class RabbitMqSnippets
{
    public static void MassTransitWithDependencyInjection(IServiceCollection services)
    {
        #region masstransit-di
        services.AddCorrelation();                      // options, propagator (optional: defaults are used without it)
        services.AddMassTransit(x =>
        {
            x.AddConsumer<OrderSubmittedConsumer>();
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.UseCorrelationPropagation(context);  // before ConfigureEndpoints / ReceiveEndpoint
                cfg.ConfigureEndpoints(context);
            });
        });
        #endregion
    }

    public static IBusControl MassTransitBusFactory(ILoggerFactory loggerFactory)
    {
        #region masstransit-bus-factory
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.UseCorrelationPropagation(o => o.InvalidIdPolicy = InvalidCorrelationIdPolicy.Reject, loggerFactory);
            cfg.ReceiveEndpoint("orders", e => e.Consumer<OrderSubmittedConsumer>());
        });
        #endregion
        return bus;
    }

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

    public static void Tracing()
    {
        #region masstransit-tracing
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource("MassTransit").AddOtlpExporter().Build(); // OpenTelemetry SDK
        #endregion
    }

    internal sealed record OrderSubmitted(string OrderId);

    internal sealed class OrderSubmittedConsumer : IConsumer<OrderSubmitted>
    {
        public Task Consume(ConsumeContext<OrderSubmitted> context) => Task.CompletedTask;
    }
}
