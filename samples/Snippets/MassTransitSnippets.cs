using Correlation.Messaging;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Snippets;

/// <summary>The snippets of src/Correlation.Messaging.MassTransit/README.md and src/Correlation.Messaging.MassTransit.RabbitMq/README.md.</summary>
internal static class MassTransitSnippets
{
    public static void MassTransitWithDependencyInjection(IServiceCollection services)
    {
        #region masstransit-di
        services.AddCorrelation();                      // options, propagator (optional: defaults are used without it)
        services.AddMassTransit(x =>
        {
            x.AddConsumer<OrderSubmittedConsumer>();
            x.UsingInMemory((context, cfg) =>           // or UsingAzureServiceBus, UsingAmazonSqs, UsingRabbitMq …
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
        var bus = Bus.Factory.CreateUsingInMemory(cfg =>
        {
            cfg.UseCorrelationPropagation(o => o.InvalidIdPolicy = InvalidCorrelationIdPolicy.Reject, loggerFactory);
            cfg.ReceiveEndpoint("orders", e => e.Consumer<OrderSubmittedConsumer>());
        });
        #endregion
        return bus;
    }

    public static void MassTransitOverRabbitMq(IServiceCollection services)
    {
        #region masstransit-rabbitmq-di
        services.AddCorrelation();
        services.AddMassTransit(x =>
        {
            x.AddConsumer<OrderSubmittedConsumer>();
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.UseCorrelationPropagation(context);  // the RabbitMQ overload: IRabbitMqBusFactoryConfigurator
                cfg.ConfigureEndpoints(context);
            });
        });
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
