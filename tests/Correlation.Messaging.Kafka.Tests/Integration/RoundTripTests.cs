using System.Text;
using Confluent.Kafka;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Kafka.Tests.Integration;

[Collection(KafkaCollection.Name)]
public sealed class RoundTripTests(KafkaFixture kafka)
{
    [Fact]
    public async Task ProduceThenSubscribeInGroup_HandlerSeesIdInContextAndLogs()
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var propagator = new CorrelationPropagator(new CorrelationOptions(), factory);
        var logger = factory.CreateLogger("handler");
        var topic = KafkaFixture.NewTopic("roundtrip");
        var flow = "rt-" + Guid.NewGuid().ToString("N");

        DeliveryResult<string, string> delivery;
        using (var producer = kafka.CorrelatingProducer(propagator))
        using (CorrelationContext.BeginScope(new CorrelationContext(flow)))
        {
            delivery = await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "order" }, TestContext.Current.CancellationToken);
        }

        var sentMessageId = $"{delivery.Topic}:{delivery.Partition.Value}:{delivery.Offset.Value}";
        using var consumer = kafka.Consumer(topic);
        consumer.Subscribe(topic);
        CorrelationContext? seen = null;
        ConsumeResult<string, string>? handled = null;

        KafkaFixture.Until(
            () => handled is not null,
            () => handled = consumer.ConsumeWithCorrelation(
                propagator,
                r =>
                {
                    seen = CorrelationContext.Current;
                    logger.LogInformation("handling {Value}", r.Message.Value);
                },
                TimeSpan.FromMilliseconds(500)),
            "the produced message was not consumed");

        consumer.Commit(handled!);
        consumer.Close();
        seen.ShouldNotBeNull();
        seen.CorrelationId.ShouldBe(flow);
        seen.MessageId.ShouldBe(sentMessageId);
        seen.CausationId.ShouldBeNull();
        CorrelationContext.Current.ShouldBeNull();
        var line = logs.Logs.Single(l => l.Message == "handling order");
        line.CorrelationId.ShouldBe(flow);
        line.Field("message_id").ShouldBe(sentMessageId);
    }

    [Fact]
    public async Task ConsumerProducesDownstream_KeepsCorrelationSetsCausationToTheRecordsOffset()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions());
        var orders = KafkaFixture.NewTopic("orders");
        var invoices = KafkaFixture.NewTopic("invoices");
        var flow = "chain-" + Guid.NewGuid().ToString("N");
        using var producer = kafka.CorrelatingProducer(propagator);

        DeliveryResult<string, string> order;
        using (CorrelationContext.BeginScope(new CorrelationContext(flow)))
        {
            order = await producer.ProduceAsync(new TopicPartition(orders, 0), new Message<string, string> { Value = "order" }, TestContext.Current.CancellationToken);
        }

        var orderMessageId = $"{order.Topic}:{order.Partition.Value}:{order.Offset.Value}";

        // Service B: consumes the order and produces an invoice inside the handler.
        using (var orderConsumer = kafka.AssignedConsumer(orders))
        {
            ConsumeResult<string, string>? handled = null;
            KafkaFixture.Until(
                () => handled is not null,
                () => handled = orderConsumer.ConsumeWithCorrelation(
                    propagator,
                    r => producer.ProduceAsync(new TopicPartition(invoices, 0), new Message<string, string> { Value = "invoice" }).GetAwaiter().GetResult(),
                    TimeSpan.FromMilliseconds(500)),
                "the order was not consumed");
        }

        // Service C: consumes the invoice.
        using var invoiceConsumer = kafka.AssignedConsumer(invoices);
        CorrelationContext? seen = null;
        ConsumeResult<string, string>? invoice = null;
        KafkaFixture.Until(
            () => invoice is not null,
            () => invoice = invoiceConsumer.ConsumeWithCorrelation(propagator, _ => seen = CorrelationContext.Current, TimeSpan.FromMilliseconds(500)),
            "the invoice was not consumed");

        seen.ShouldNotBeNull();
        seen.CorrelationId.ShouldBe(flow);
        seen.CausationId.ShouldBe(orderMessageId);
        seen.MessageId.ShouldNotBeNull().ShouldNotBe(orderMessageId);
        invoice!.Message.Headers.Count(h => h.Key == CorrelationHeaders.CorrelationId).ShouldBe(1);
    }

    [Fact]
    public async Task ForeignMessageWithoutMessageId_DownstreamCausationIsTopicPartitionOffset()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions());
        var inbound = KafkaFixture.NewTopic("foreign");
        var outbound = KafkaFixture.NewTopic("foreign-out");
        using var raw = kafka.RawProducer();
        var foreign = await raw.ProduceAsync(
            new TopicPartition(inbound, 0),
            new Message<string, string> { Value = "x", Headers = new Headers { { CorrelationHeaders.CorrelationId, "foreign-flow"u8.ToArray() } } },
            TestContext.Current.CancellationToken);
        using var producer = kafka.CorrelatingProducer(propagator);

        using (var consumer = kafka.AssignedConsumer(inbound))
        {
            ConsumeResult<string, string>? handled = null;
            KafkaFixture.Until(
                () => handled is not null,
                () => handled = consumer.ConsumeWithCorrelation(
                    propagator,
                    _ => producer.ProduceAsync(new TopicPartition(outbound, 0), new Message<string, string> { Value = "y" }).GetAwaiter().GetResult(),
                    TimeSpan.FromMilliseconds(500)),
                "the foreign message was not consumed");
        }

        using var downstream = kafka.AssignedConsumer(outbound);
        CorrelationContext? seen = null;
        ConsumeResult<string, string>? result = null;
        KafkaFixture.Until(
            () => result is not null,
            () => result = downstream.ConsumeWithCorrelation(propagator, _ => seen = CorrelationContext.Current, TimeSpan.FromMilliseconds(500)),
            "the downstream message was not consumed");

        seen!.CorrelationId.ShouldBe("foreign-flow");
        seen.CausationId.ShouldBe($"{inbound}:0:{foreign.Offset.Value}");
    }
}
