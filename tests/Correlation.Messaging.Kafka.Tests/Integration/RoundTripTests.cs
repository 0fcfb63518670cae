using System.Text;
using Confluent.Kafka;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Testing;
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
        // Written with Correlation.Messaging.Testing: the recorder sees the three services' hops on these two topics.
        var propagator = new CorrelationPropagator(new CorrelationOptions());
        var orders = KafkaFixture.NewTopic("orders");
        var invoices = KafkaFixture.NewTopic("invoices");
        var flowId = "chain-" + Guid.NewGuid().ToString("N");
        using var flow = FlowRecorder.Start(hop => hop.Destination == orders || hop.Destination == invoices);
        using var producer = kafka.CorrelatingProducer(propagator);

        DeliveryResult<string, string> order;
        using (CorrelationContext.BeginScope(new CorrelationContext(flowId)))
        {
            order = await producer.ProduceAsync(new TopicPartition(orders, 0), new Message<string, string> { Value = "order" }, TestContext.Current.CancellationToken);
        }

        // Service B consumes the order and produces an invoice; service C consumes the invoice.
        using (var orderConsumer = kafka.AssignedConsumer(orders))
        {
            ConsumeUntilOne(orderConsumer, propagator, _ => producer.ProduceAsync(new TopicPartition(invoices, 0), new Message<string, string> { Value = "invoice" }).GetAwaiter().GetResult());
        }

        using var invoiceConsumer = kafka.AssignedConsumer(invoices);
        var invoice = ConsumeUntilOne(invoiceConsumer, propagator, _ => { });

        await flow.WaitUntilQuietAsync(FlowShape.Parse($"{orders} → {invoices}"), KafkaFixture.Deadline, TestContext.Current.CancellationToken);
        flow.AssertOneCorrelationId().ShouldBe(flowId);
        flow.AssertNoNewFlowStarted();
        flow.AssertNothingOutlivedFlow();
        var handledInvoice = flow.Hops.Single(h => h.Kind == RecordedHopKind.Consume && h.Destination == invoices);
        var orderMessageId = $"{order.Topic}:{order.Partition.Value}:{order.Offset.Value}"; // the delivery result, not the recorder
        handledInvoice.CausationId.ShouldBe(orderMessageId);
        handledInvoice.MessageId.ShouldNotBeNull().ShouldNotBe(orderMessageId);
        invoice.Message.Headers.Count(h => h.Key == CorrelationHeaders.CorrelationId).ShouldBe(1);
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

    private static ConsumeResult<string, string> ConsumeUntilOne(IConsumer<string, string> consumer, CorrelationPropagator propagator, Action<ConsumeResult<string, string>> handler)
    {
        ConsumeResult<string, string>? handled = null;
        KafkaFixture.Until(
            () => handled is not null,
            () => handled = consumer.ConsumeWithCorrelation(propagator, handler, TimeSpan.FromMilliseconds(500)),
            "the record was not consumed");
        return handled!;
    }
}
