using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using Correlation.Messaging.Kafka;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq;
using Correlation.Messaging.TestSupport;
using RabbitMQ.Client;
using Headers = Confluent.Kafka.Headers;

namespace Correlation.Messaging.Wolverine.Tests;

/// <summary>The tests start Wolverine hosts and share the brokers: one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WolverineCollection
{
    public const string Name = "Wolverine on RabbitMQ and Kafka";
}

/// <summary>
/// Interop with a real Wolverine 6.62 application on the same brokers, both directions in one round trip: our service
/// sends <see cref="PlaceOrder"/> inside a flow, the Wolverine handler sees the flow as its <c>CorrelationId</c> and
/// cascades <see cref="OrderAccepted"/>, and our consumer restores the flow with Wolverine's causation.
/// </summary>
[Collection(WolverineCollection.Name)]
public sealed class WolverineInteropTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RabbitMq_RoundTripThroughWolverine_FlowAndCausationSurvive()
    {
        var inbound = "corr-wolverine-in-" + Guid.NewGuid().ToString("N");
        var outbound = "corr-wolverine-out-" + Guid.NewGuid().ToString("N");
        var options = new CorrelationOptions();
        options.CausationReadAliases.Add("conversation-id");
        var propagator = new CorrelationPropagator(options);
        var flow = "wolverine-" + Guid.NewGuid().ToString("N");
        var orderId = "o-" + Guid.NewGuid().ToString("N");

        await using (await WolverineHost.StartAsync(Transport.RabbitMq, inbound, outbound))
        {
            var factory = new ConnectionFactory { Uri = BrokerEndpoints.RabbitMqUri };
            await using var connection = await factory.CreateConnectionAsync(TestContext.Current.CancellationToken);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken);
            try
            {
                // Us → Wolverine: RabbitMQ.Client with our properties (header, AMQP correlation_id, message_id).
                var properties = new BasicProperties { ContentType = "application/json" };
                properties.WithCorrelation(new CorrelationContext(flow), propagator);
                await channel.BasicPublishAsync(string.Empty, inbound, mandatory: true, properties, Json(orderId), TestContext.Current.CancellationToken);

                // Wolverine → us.
                var received = new ConcurrentQueue<CorrelationContext>();
                var consumer = new CorrelatingBasicConsumer(channel, propagator);
                consumer.ReceivedAsync += (_, _) =>
                {
                    received.Enqueue(CorrelationContext.Current!);
                    return Task.CompletedTask;
                };
                (await Eventually.TrueAsync(() => PlaceOrderHandler.Seen.Any(s => s.OrderId == orderId), Deadline)).ShouldBeTrue("the Wolverine handler ran");
                await channel.BasicConsumeAsync(outbound, autoAck: true, consumer, TestContext.Current.CancellationToken);
                (await Eventually.TrueAsync(() => !received.IsEmpty, Deadline)).ShouldBeTrue("the cascaded message arrived");

                var seen = PlaceOrderHandler.Seen.Single(s => s.OrderId == orderId);
                seen.CorrelationId.ShouldBe(flow, "Wolverine reads the AMQP correlation_id we write");
                seen.EnvelopeId.ToString("D").ShouldBe(properties.MessageId, "Wolverine takes our message_id as its envelope ID");

                var back = received.Single();
                back.CorrelationId.ShouldBe(flow);
                back.Source.ShouldBe(CorrelationIdSource.Inbound);
                back.CausationId.ShouldBe(properties.MessageId, "Wolverine's conversation-id is the causing message's ID");
            }
            finally
            {
                await channel.QueueDeleteAsync(inbound, cancellationToken: CancellationToken.None);
                await channel.QueueDeleteAsync(outbound, cancellationToken: CancellationToken.None);
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Kafka_RoundTripThroughWolverine_FlowSurvivesOnlyWithTheCorrelationIdWriteAlias(bool writeAlias)
    {
        var inbound = "corr-wolverine-in-" + Guid.NewGuid().ToString("N");
        var outbound = "corr-wolverine-out-" + Guid.NewGuid().ToString("N");
        await KafkaMock.CreateTopicAsync(inbound);
        await KafkaMock.CreateTopicAsync(outbound);
        var options = new CorrelationOptions();
        options.CausationReadAliases.Add("conversation-id");
        if (writeAlias)
        {
            // Wolverine on Kafka reads its CorrelationId only from correlation-id.
            options.WriteAliases.Add("correlation-id");
        }

        var propagator = new CorrelationPropagator(options);
        var flow = "wolverine-" + Guid.NewGuid().ToString("N");
        var orderId = "o-" + Guid.NewGuid().ToString("N");

        await using (await WolverineHost.StartAsync(Transport.Kafka, inbound, outbound))
        {
            // Us → Wolverine: our correlating producer.
            var config = new ProducerConfig { BootstrapServers = BrokerEndpoints.KafkaBootstrapServers, MessageTimeoutMs = 30_000 };
            using (var producer = new CorrelatingProducerBuilder<string, string>(config, propagator).Build())
            using (CorrelationContext.BeginScope(new CorrelationContext(flow)))
            {
                // Wolverine takes its envelope ID only from an id header (a GUID). We write no message ID on Kafka (the
                // record's place in the log is its ID), so a producer that talks to Wolverine writes its own.
                var headers = new Headers { { "content-type", Encoding.UTF8.GetBytes("application/json") } };
                if (writeAlias)
                {
                    headers.Add("id", Encoding.UTF8.GetBytes(Guid.NewGuid().ToString("D")));
                }

                await producer.ProduceAsync(inbound, new Message<string, string> { Value = Encoding.UTF8.GetString(Json(orderId)), Headers = headers }, TestContext.Current.CancellationToken);
            }

            (await Eventually.TrueAsync(() => PlaceOrderHandler.Seen.Any(s => s.OrderId == orderId), Deadline)).ShouldBeTrue("the Wolverine handler ran");
            var seen = PlaceOrderHandler.Seen.Single(s => s.OrderId == orderId);

            // Wolverine → us.
            var back = KafkaMock.ConsumeOne(outbound, propagator);

            if (writeAlias)
            {
                seen.CorrelationId.ShouldBe(flow, "Wolverine reads only the correlation-id header on Kafka");
                back.CorrelationId.ShouldBe(flow);
                back.Source.ShouldBe(CorrelationIdSource.Inbound);
                seen.EnvelopeId.ShouldNotBe(Guid.Empty, "Wolverine took the producer's id header as its envelope ID");
                back.CausationId.ShouldBe(seen.EnvelopeId.ToString("D"), "Wolverine's conversation-id is the causing message's ID");
            }
            else
            {
                // The failing twin: Wolverine never maps X-Correlation-ID, so the flow breaks at its hop.
                seen.CorrelationId.ShouldNotBe(flow);
                back.CorrelationId.ShouldNotBe(flow);

                // Without an id header Wolverine's envelope ID is empty and its cascaded message carries no causation.
                seen.EnvelopeId.ShouldBe(Guid.Empty);
                back.CausationId.ShouldBeNull();
            }
        }
    }

    private static byte[] Json(string orderId) => Encoding.UTF8.GetBytes($$"""{"OrderId":"{{orderId}}"}""");
}
