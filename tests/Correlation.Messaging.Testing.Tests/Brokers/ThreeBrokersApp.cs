using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Confluent.Kafka;
using Correlation.Messaging.Kafka;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs;
using Correlation.Messaging.Testing.Tests.MassTransit;
using Correlation.Messaging.TestSupport;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Testing.Tests.Brokers;

/// <summary>How a test breaks the three-broker flow, for the failing twins.</summary>
public enum BrokerBreakage
{
    /// <summary>A healthy flow.</summary>
    None,

    /// <summary>The RabbitMQ consumer produces the Kafka records from a thread that lost the flow.</summary>
    KafkaProduceDropsId,

    /// <summary>Nothing consumes the SQS queue.</summary>
    NoSqsConsumer,
}

/// <summary>The names and clients of one three-broker flow.</summary>
public sealed class ThreeBrokersSettings(BrokerBreakage breakage, string linesTopic, string shipmentsQueueUrl)
{
    public BrokerBreakage Breakage { get; } = breakage;

    public string LinesTopic { get; } = linesTopic;

    public string ShipmentsQueueUrl { get; } = shipmentsQueueUrl;
}

/// <summary>On RabbitMQ (MassTransit): turns an order into one Kafka record per line.</summary>
public sealed class OrderToKafkaConsumer(IProducer<string, string> producer, ThreeBrokersSettings settings, ILogger<OrderToKafkaConsumer> logger) : IConsumer<OrderPlaced>
{
    public async Task Consume(ConsumeContext<OrderPlaced> context)
    {
        logger.LogInformation("Order {OrderId} placed; requesting {Lines} lines on Kafka", context.Message.OrderId, context.Message.Lines);
        for (var line = 1; line <= context.Message.Lines; line++)
        {
            var record = new Message<string, string> { Key = context.Message.OrderId.ToString(CultureInfo.InvariantCulture), Value = "line " + line };
            if (settings.Breakage == BrokerBreakage.KafkaProduceDropsId)
            {
                Task produce;
#pragma warning disable CM0001 // deliberate: the failing twin of a hop that drops the correlation ID
                using (ExecutionContext.SuppressFlow())
                {
                    produce = Task.Run(() => producer.ProduceAsync(settings.LinesTopic, record));
                }
#pragma warning restore CM0001

                await produce;
            }
            else
            {
                await producer.ProduceAsync(settings.LinesTopic, record);
            }
        }
    }
}

/// <summary>
/// One flow across the three real brokers, in one process: <c>POST /orders</c> publishes <see cref="OrderPlaced"/> on
/// MassTransit over RabbitMQ; its consumer produces three Kafka records; a Kafka consumer sends one SQS message per
/// record; an <see cref="SqsMessageProcessor"/> handles them.
/// </summary>
public sealed class ThreeBrokersApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly IConsumer<string, string> _kafkaConsumer;

    private ThreeBrokersApp(WebApplication app, IConsumer<string, string> kafkaConsumer, ThreeBrokersSettings settings)
    {
        _app = app;
        _kafkaConsumer = kafkaConsumer;
        Settings = settings;
        Client = app.GetTestClient();
    }

    public ThreeBrokersSettings Settings { get; }

    public HttpClient Client { get; }

    public string LinesTopic => Settings.LinesTopic;

    public string ShipmentsQueue => Settings.ShipmentsQueueUrl[(Settings.ShipmentsQueueUrl.LastIndexOf('/') + 1)..];

    public static async Task<ThreeBrokersApp> StartAsync(FlowRecorder flow, BrokerBreakage breakage = BrokerBreakage.None)
    {
        var rabbit = BrokerEndpoints.RabbitMqUri;
        var kafka = BrokerEndpoints.KafkaBootstrapServers;
        var sqsUrl = BrokerEndpoints.SqsServiceUrl;
        var suffix = Guid.NewGuid().ToString("N")[..8];

        SqsCorrelation.Register();
        var sqs = new AmazonSQSClient(new BasicAWSCredentials("test", "test"), new AmazonSQSConfig { ServiceURL = sqsUrl.ToString(), AuthenticationRegion = "us-east-1" });
        var queueUrl = (await sqs.CreateQueueAsync("shipments-" + suffix)).QueueUrl;
        var topic = "lines-" + suffix;
        await CreateKafkaTopicAsync(topic);
        var settings = new ThreeBrokersSettings(breakage, topic, queueUrl);

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(flow.CaptureLogs());
        builder.Services.AddSingleton(settings);
        builder.Services.AddCorrelation().AddAspNetCore();
        builder.Services.AddSingleton(sp => new CorrelatingProducerBuilder<string, string>(
            new ProducerConfig { BootstrapServers = kafka, LingerMs = 5 }, sp.GetRequiredService<CorrelationPropagator>()).Build());
        builder.Services.AddSingleton<IAmazonSQS>(sp => sqs.UseCorrelation(sp.GetRequiredService<CorrelationPropagator>()));
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = true; // the consumer's queue is bound before the first order is published
            o.StartTimeout = TimeSpan.FromSeconds(30);
        });
        builder.Services.AddMassTransit(x =>
        {
            x.AddConsumer<OrderToKafkaConsumer>().Endpoint(e =>
            {
                e.Name = "testing-orders-" + suffix;
                e.Temporary = true;
            });
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(rabbit);
                cfg.UseCorrelationPropagation(context);
                cfg.ConfigureEndpoints(context);
            });
        });

        var app = builder.Build();
        app.UseCorrelation();
        app.MapPost("/orders", async (IPublishEndpoint publish) =>
        {
            await publish.Publish(new OrderPlaced(42, 3));
            return Results.Accepted();
        });
        await app.StartAsync();

        var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = kafka,
            GroupId = "testing-" + suffix,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            FetchWaitMaxMs = 50,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var result = new ThreeBrokersApp(app, consumer, settings);
        result.StartLoops(breakage);
        return result;
    }

    public async Task PlaceOrderAsync()
    {
        using var response = await Client.PostAsync(new Uri("/orders", UriKind.Relative), content: null, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_loops);
        }
        catch (OperationCanceledException)
        {
        }

        _kafkaConsumer.Close();
        _kafkaConsumer.Dispose();
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stop.Dispose();
    }

    private static async Task CreateKafkaTopicAsync(string topic)
    {
        var control = BrokerEndpoints.KafkaMockControl;
        if (control is null)
        {
            return; // a real Kafka creates the topic on the first produce
        }

        var colon = control.LastIndexOf(':');
        using var client = new TcpClient();
        await client.ConnectAsync(control[..colon], int.Parse(control[(colon + 1)..], CultureInfo.InvariantCulture));
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"topic {topic} 1\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        (await reader.ReadLineAsync()).ShouldNotBeNull().ShouldStartWith("ok");
    }

    private void StartLoops(BrokerBreakage breakage)
    {
        var services = _app.Services;
        var propagator = services.GetRequiredService<CorrelationPropagator>();
        var sqs = services.GetRequiredService<IAmazonSQS>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Shipping");
        var token = _stop.Token;

        // Kafka: one SQS shipment per line record.
        _loops.Add(Task.Factory.StartNew(
            () =>
            {
                while (!token.IsCancellationRequested)
                {
                    _kafkaConsumer.ConsumeWithCorrelation(
                        propagator,
                        record =>
                        {
                            logger.LogInformation("Line record {Value} read from Kafka", record.Message.Value);
                            sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = Settings.ShipmentsQueueUrl, MessageBody = record.Message.Value }).GetAwaiter().GetResult();
                        },
                        TimeSpan.FromMilliseconds(200));
                }
            },
            token,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default));

        if (breakage == BrokerBreakage.NoSqsConsumer)
        {
            return;
        }

        // SQS: the shipments.
        var processor = new SqsMessageProcessor(
            sqs,
            propagator,
            new SqsProcessorOptions { QueueUrl = Settings.ShipmentsQueueUrl, WaitTimeSeconds = 1 },
            services.GetRequiredService<ILoggerFactory>());
        _loops.Add(processor.RunAsync(
            (message, _) =>
            {
                logger.LogInformation("Shipping {Body}", message.Body);
                return Task.CompletedTask;
            },
            token));
    }
}
