#region testing-usings
using Correlation.Messaging.Testing;
#endregion
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Confluent.Kafka;
using Correlation.Messaging;
using Correlation.Messaging.Kafka;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Snippets.Testing;

public sealed record OrderPlaced(int OrderId, int Lines);

public sealed record OrderLineRequested(int OrderId, int Line);

/// <summary>The application's consumers, as the README's MassTransit example tests them.</summary>
public sealed class OrderPlacedConsumer(ILogger<OrderPlacedConsumer> logger) : IConsumer<OrderPlaced>
{
    public async Task Consume(ConsumeContext<OrderPlaced> context)
    {
        logger.LogInformation("Order {OrderId} placed", context.Message.OrderId);
        for (var line = 1; line <= context.Message.Lines; line++)
        {
            await context.Publish(new OrderLineRequested(context.Message.OrderId, line));
        }
    }
}

public sealed class OrderLineConsumer(ILogger<OrderLineConsumer> logger) : IConsumer<OrderLineRequested>
{
    public Task Consume(ConsumeContext<OrderLineRequested> context)
    {
        logger.LogInformation("Line {Line} requested", context.Message.Line);
        return Task.CompletedTask;
    }
}

#region testing-masstransit
public sealed class OrderFlowTests
{
    [Fact]
    public async Task PlaceOrder_OneFlowFromPublishToEveryLine()
    {
        using var flow = FlowRecorder.Start();                       // before the host: it records from here on
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(flow.CaptureLogs()));
        services.AddCorrelation();
        services.AddMassTransitTestHarness(x =>
        {
            x.AddConsumer<OrderPlacedConsumer>();
            x.AddConsumer<OrderLineConsumer>();
            x.UsingInMemory((context, cfg) =>
            {
                cfg.UseCorrelationPropagation(context);              // the harness's messages carry a flow
                cfg.UseInMemoryOutbox(context);                      // the recorder still sees every consumer
                cfg.ConfigureEndpoints(context);
            });
        });
        await using var provider = services.BuildServiceProvider(validateScopes: true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        await harness.Bus.Publish(new OrderPlaced(42, Lines: 3), TestContext.Current.CancellationToken);

        await flow.WaitUntilQuietAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        flow.AssertOneCorrelationId();
        flow.AssertShape("OrderPlaced → OrderLineRequested ×3");
        flow.AssertNoNewFlowStarted();
        flow.AssertNothingOutlivedFlow();
        flow.AssertLogsCarryCorrelationId();
    }
}
#endregion

#region testing-kafka
public sealed class BillingFlowTests
{
    private const string Bootstrap = "localhost:9092";

    [Fact]
    public async Task Order_InvoiceCarriesTheOrdersFlow()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions());
        using var flow = FlowRecorder.Start(hop => hop.Destination is "orders" or "invoices"); // this test's topics only
        using var producer = new CorrelatingProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = Bootstrap }, propagator).Build();
        using var billing = Consumer("billing", "orders");
        using var audit = Consumer("audit", "invoices");

        using (CorrelationContext.BeginScope(new CorrelationContext("order-42")))
        {
            await producer.ProduceAsync("orders", new Message<string, string> { Key = "42", Value = "order" }, TestContext.Current.CancellationToken);
        }

        // The service under test: it turns an order into an invoice. The audit consumer reads the invoice.
        billing.ConsumeWithCorrelation(propagator, order => producer.Produce("invoices", new Message<string, string> { Key = order.Message.Key, Value = "invoice" }), TimeSpan.FromSeconds(10));
        producer.Flush(TimeSpan.FromSeconds(10));
        audit.ConsumeWithCorrelation(propagator, _ => { }, TimeSpan.FromSeconds(10));

        await flow.WaitUntilQuietAsync(FlowShape.Parse("orders → invoices"), TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal("order-42", flow.AssertOneCorrelationId());
        flow.AssertNoNewFlowStarted();
        flow.AssertNothingOutlivedFlow();
    }

    private static IConsumer<string, string> Consumer(string group, string topic)
    {
        var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = Bootstrap,
            GroupId = group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe(topic);
        return consumer;
    }
}
#endregion

#region testing-sqs
public sealed class ShippingFlowTests
{
    [Fact]
    public async Task Shipment_HandledInTheOrdersFlow()
    {
        SqsCorrelation.Register();
        var propagator = new CorrelationPropagator(new CorrelationOptions());
        using var flow = FlowRecorder.Start();
        using var sqs = new AmazonSQSClient(
            new BasicAWSCredentials("test", "test"),
            new AmazonSQSConfig { ServiceURL = "http://localhost:9324", AuthenticationRegion = "us-east-1" }).UseCorrelation(propagator);
        var queueUrl = (await sqs.CreateQueueAsync("shipments", TestContext.Current.CancellationToken)).QueueUrl;
        var processor = new SqsMessageProcessor(sqs, propagator, new SqsProcessorOptions { QueueUrl = queueUrl, WaitTimeSeconds = 1 });
        using var stop = new CancellationTokenSource();
        var shipping = processor.RunAsync((message, _) => Task.CompletedTask, stop.Token);   // the handler under test

        using (CorrelationContext.BeginScope(new CorrelationContext("order-42")))
        {
            await sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = queueUrl, MessageBody = "ship 42" }, TestContext.Current.CancellationToken);
        }

        await flow.WaitUntilQuietAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await shipping;
        Assert.Equal("order-42", flow.AssertOneCorrelationId());
        flow.AssertShape("shipments");
        flow.AssertNothingOutlivedFlow();
    }
}
#endregion
