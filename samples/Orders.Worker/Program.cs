using Confluent.Kafka;
using Correlation.Messaging.Kafka;
using Correlation.Messaging.Propagation;
using Demo.Shared;
using Demo.Shared.Logging;
using MassTransit;
using Orders.Worker;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddDemoJsonConsole("orders-worker");
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));

builder.Services.AddCorrelation();

// Kafka: the correlating producer writes X-Correlation-ID, X-Causation-ID (the consumed OrderPlaced's message ID)
// and X-Correlation-Flow (depth, origin, start) on every record.
builder.Services.AddSingleton(sp => new CorrelatingProducerBuilder<string, string>(
        new ProducerConfig
        {
            BootstrapServers = DemoSettings.KafkaBootstrapServers(builder.Configuration),
            Acks = Acks.All,
            LingerMs = 0,
        },
        sp.GetRequiredService<CorrelationPropagator>())
    .Build());

builder.Services.AddSingleton(new FailOnce(builder.Configuration["DEMO_FAIL_ONCE_ORDERS"]));

builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);  // "ready" means the queue is bound
builder.Services.AddMassTransit(x =>
{
    x.SetKebabCaseEndpointNameFormatter();                           // queue "order-placed"
    x.AddConsumer<OrderPlacedConsumer, OrderPlacedConsumerDefinition>();
    x.UsingRabbitMq((context, cfg) =>
    {
        cfg.Host(DemoSettings.RabbitMqUri(builder.Configuration));
        cfg.UseCorrelationPropagation(context);   // before ConfigureEndpoints
        cfg.ConfigureEndpoints(context);
    });
});
builder.Services.AddHostedService<ReadyLogger>();

await builder.Build().RunAsync();
