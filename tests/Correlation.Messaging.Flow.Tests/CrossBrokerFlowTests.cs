using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Confluent.Kafka;
using Correlation.Messaging.Kafka;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq;
using Correlation.Messaging.Sqs;
using Correlation.Messaging.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace Correlation.Messaging.Flow.Tests;

/// <summary>
/// One flow through every adapter on real brokers: an HTTP request (the edge) publishes to RabbitMQ, whose consumer
/// produces to Kafka, whose consumer sends to SQS. Each hop is its own "service" (its own propagator and service name).
/// </summary>
public sealed class CrossBrokerFlowTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Depth_HttpThenRabbitMqThenKafkaThenSqs_OnePerHop_OriginAndStartUnchanged()
    {
        var hops = await RunChainAsync(kafkaHopCarriesFlow: true);

        ChainProblems(hops).ShouldBeEmpty();
        hops.Select(h => h.Service).ShouldBe(["http", "rabbitmq", "kafka", "sqs"]);
    }

    [Fact]
    public async Task Depth_KafkaHopWrittenByHandWithoutFlowHeader_ChainCheckFails_FailingTwin()
    {
        var hops = await RunChainAsync(kafkaHopCarriesFlow: false);

        var problems = ChainProblems(hops);
        problems.ShouldNotBeEmpty("a hop that drops the flow header restarts the flow: the check must see it");
        problems.ShouldContain(p => p.Contains("kafka", StringComparison.Ordinal));
    }

    /// <summary>The oracle of the chain, from the document: depth = hop index, one origin (the edge's), one start, one ID.</summary>
    private static List<string> ChainProblems(IReadOnlyList<Hop> hops)
    {
        var problems = new List<string>();
        if (hops.Count != 4)
        {
            problems.Add($"{hops.Count} hops seen, 4 expected");
            return problems;
        }

        for (var i = 0; i < hops.Count; i++)
        {
            var hop = hops[i];
            if (hop.Depth != i)
            {
                problems.Add($"{hop.Service}: depth {hop.Depth}, expected {i}");
            }

            if (hop.Origin != "http-edge")
            {
                problems.Add($"{hop.Service}: origin {hop.Origin}, expected http-edge");
            }

            if (hop.Start != hops[0].Start)
            {
                problems.Add($"{hop.Service}: start {hop.Start}, expected {hops[0].Start}");
            }

            if (hop.CorrelationId != hops[0].CorrelationId)
            {
                problems.Add($"{hop.Service}: correlation ID {hop.CorrelationId}, expected {hops[0].CorrelationId}");
            }
        }

        return problems;
    }

    private static async Task<List<Hop>> RunChainAsync(bool kafkaHopCarriesFlow)
    {
        SqsCorrelation.Register(); // before any SQS client exists, so every client's pipeline can correlate
        var hops = new ConcurrentQueue<Hop>();
        var suffix = Guid.NewGuid().ToString("N");
        var rabbitQueue = "flow-chain-" + suffix;
        var kafkaTopic = "flow-chain-" + suffix;

        // SQS: the last hop.
        using var sqsRaw = SqsClient();
        var sqsQueue = (await sqsRaw.CreateQueueAsync("flow-chain-" + suffix, Ct)).QueueUrl;
        var kafkaService = Propagator("kafka-service");
        using var sqsSender = SqsClient().UseCorrelation(kafkaService);

        // Kafka: produce from the RabbitMQ consumer, consume and send to SQS.
        var rabbitService = Propagator("rabbitmq-service");
        using var kafkaProducer = kafkaHopCarriesFlow
            ? new CorrelatingProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = BrokerEndpoints.KafkaBootstrapServers, LingerMs = 5 }, rabbitService).Build()
            : new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = BrokerEndpoints.KafkaBootstrapServers, LingerMs = 5 }).Build();

        // RabbitMQ: consume and produce to Kafka.
        var uri = BrokerEndpoints.RabbitMqUri;
        await using var connection = await new ConnectionFactory { Uri = uri }.CreateConnectionAsync(Ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: Ct);
        await channel.QueueDeclareAsync(rabbitQueue, durable: false, exclusive: false, autoDelete: true, cancellationToken: Ct);
        var consumer = new CorrelatingBasicConsumer(channel, rabbitService);
        consumer.ReceivedAsync += async (_, args) =>
        {
            hops.Enqueue(Hop.Here("rabbitmq"));
            var message = new Message<string, string> { Value = "to-kafka" };
            if (!kafkaHopCarriesFlow)
            {
                // The failing twin: a hand-written produce that carries the ID only.
                message.Headers = new Confluent.Kafka.Headers { { "X-Correlation-ID", CorrelationContext.Current!.CorrelationIdUtf8.ToArray() } };
            }

            await kafkaProducer.ProduceAsync(new TopicPartition(kafkaTopic, 0), message);
            await channel.BasicAckAsync(args.DeliveryTag, multiple: false);
        };
        await channel.BasicConsumeAsync(rabbitQueue, autoAck: false, consumer, Ct);

        // HTTP: the edge, publishing to RabbitMQ.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--urls", "http://127.0.0.1:0"], EnvironmentName = Environments.Production });
        builder.Services.AddCorrelation(o => o.ServiceName = "http-edge").AddAspNetCore();
        await using var app = builder.Build();
        app.UseCorrelation();
        app.MapPost("/orders", async (CorrelationPropagator propagator) =>
        {
            hops.Enqueue(Hop.Here("http"));
            await using var publishChannel = await connection.CreateChannelAsync();
            await publishChannel.BasicPublishAsync(string.Empty, rabbitQueue, mandatory: true, new BasicProperties().WithCorrelation(propagator), "order"u8.ToArray());
            return "accepted";
        });
        await app.StartAsync(Ct);
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        (await http.PostAsync("/orders", null, Ct)).EnsureSuccessStatusCode();

        // Kafka consumer -> SQS, then the SQS consumer.
        using var kafkaConsumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = BrokerEndpoints.KafkaBootstrapServers,
            GroupId = "flow-chain-" + suffix,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        kafkaConsumer.Assign(new TopicPartitionOffset(kafkaTopic, 0, Offset.Beginning));
        var sqsService = Propagator("sqs-service");
        var deadline = DateTime.UtcNow + Wait;
        var kafkaDone = false;
        while (hops.Count < 4 && DateTime.UtcNow < deadline)
        {
            if (!kafkaDone)
            {
                kafkaDone = kafkaConsumer.ConsumeWithCorrelation(
                    kafkaService,
                    _ =>
                    {
                        hops.Enqueue(Hop.Here("kafka"));
                        sqsSender.SendMessageAsync(new SendMessageRequest { QueueUrl = sqsQueue, MessageBody = "to-sqs" }).GetAwaiter().GetResult();
                    },
                    TimeSpan.FromMilliseconds(200)) is not null;
                continue;
            }

            var received = await sqsRaw.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = sqsQueue, WaitTimeSeconds = 1, MessageAttributeNames = ["All"] }, Ct);
            foreach (var message in received.Messages ?? [])
            {
                using (message.BeginCorrelationScope(sqsService))
                {
                    hops.Enqueue(Hop.Here("sqs"));
                }
            }
        }

        await app.StopAsync(Ct);
        return [.. hops];
    }

    private static CorrelationPropagator Propagator(string service) => new(new CorrelationOptions { ServiceName = service });

    private static AmazonSQSClient SqsClient() => new(
        new BasicAWSCredentials("test", "test"),
        new AmazonSQSConfig { ServiceURL = BrokerEndpoints.SqsServiceUrl.ToString(), AuthenticationRegion = "us-east-1" });

    private sealed record Hop(string Service, int Depth, string Origin, long Start, string CorrelationId)
    {
        public static Hop Here(string service)
        {
            var c = CorrelationContext.Current ?? throw new InvalidOperationException($"{service}: no ambient context");
            return new Hop(service, c.Depth, c.Origin, c.StartedAt.ToUnixTimeMilliseconds(), c.CorrelationId);
        }
    }
}
