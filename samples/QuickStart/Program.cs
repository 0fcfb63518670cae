#region quickstart-usings
using Amazon.SQS;
using Confluent.Kafka;
using Correlation.Messaging;
using MassTransit;
using QuickStart;                                    // the namespace of the classes below
#endregion

var builder = WebApplication.CreateBuilder(args);

#region json-console-logging
builder.Logging.ClearProviders().AddJsonConsole(o =>
{
    o.IncludeScopes = true;                          // correlation_id, causation_id, message_id
    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";  // clock times for corr-timeline
    o.UseUtcTimestamp = true;
});
#endregion

#region quickstart-correlation
builder.Services.AddCorrelation()                    // binds the "Correlation" configuration section, if any
    .AddAspNetCore();                                // the HTTP edge
#endregion

#region quickstart-masstransit
builder.Services.AddMassTransit(x =>
{
    x.AddConsumer<RequestBillingConsumer>();
    x.UsingRabbitMq((context, cfg) =>
    {
        cfg.Host(new Uri(builder.Configuration["RabbitMq:Uri"] ?? "amqp://guest:guest@localhost:5672/"));
        cfg.UseCorrelationPropagation(context);      // before ConfigureEndpoints
        cfg.ConfigureEndpoints(context);
    });
});
#endregion

#region quickstart-kafka
var kafka = builder.Configuration["Kafka:BootstrapServers"] ?? "localhost:9092";
builder.Services.AddCorrelation()
    .AddKafkaProducer<string, string>(new ProducerConfig { BootstrapServers = kafka });
builder.Services.AddKafkaConsumer<string, string, BillingHandler>(
    "orders",                                        // may not exist yet: the consumer waits for it
    new ConsumerConfig { BootstrapServers = kafka, GroupId = "billing", AutoOffsetReset = AutoOffsetReset.Earliest });
#endregion

#region quickstart-sqs
builder.Services.AddDefaultAWSOptions(builder.Configuration.GetAWSOptions()); // the "AWS" section: Region, ServiceURL…
builder.Services.AddAWSService<IAmazonSQS>();
builder.Services.AddCorrelation()
    .AddSqs()                                        // the IAmazonSQS above now writes and reads the ID
    .AddSqsProcessor<ShippingHandler>(builder.Configuration["Sqs:ShippingQueue"] ?? "shipping"); // waits for the queue
#endregion

#region quickstart-endpoint
var app = builder.Build();
app.UseCorrelation();                                // early: everything after it logs the ID
app.MapPost("/orders/{orderId}", async (string orderId, IPublishEndpoint bus, ILogger<Program> logger) =>
{
    logger.LogInformation("Placing order {OrderId}", orderId);
    await bus.Publish(new OrderPlaced(orderId));     // X-Correlation-ID, X-Causation-ID and AMQP correlation_id
    return Results.Accepted(value: CorrelationContext.Current!.CorrelationId);
});
app.Run();
#endregion
