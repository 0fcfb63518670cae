using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Correlation.Messaging.Contracts.Oracle;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Kafka.Tests.Integration;

/// <summary>Flow metadata on the mock Kafka cluster: hops, and malformed headers from a raw producer, judged by <see cref="FlowOracle"/>.</summary>
[Collection(KafkaCollection.Name)]
public sealed class FlowMetadataTests(KafkaFixture kafka)
{
    [Fact]
    public async Task ProduceConsumeProduce_DepthIncrementsOriginAndStartUnchanged_TwoHeadersAtTheEdge()
    {
        var edge = new CorrelationPropagator(new CorrelationOptions { ServiceName = "kafka-edge" });
        var middle = new CorrelationPropagator(new CorrelationOptions { ServiceName = "kafka-middle" });
        var first = KafkaFixture.NewTopic("flow-a");
        var second = KafkaFixture.NewTopic("flow-b");
        using var edgeProducer = kafka.CorrelatingProducer(edge);
        using var middleProducer = kafka.CorrelatingProducer(middle);

        DeliveryResult<string, string> sent;
        using (CorrelationContext.BeginScope(new CorrelationContext("kafka-flow")))
        {
            sent = await edgeProducer.ProduceAsync(new TopicPartition(first, 0), new Message<string, string> { Value = "a" }, TestContext.Current.CancellationToken);
        }

        sent.Message.Headers.Select(h => h.Key).ShouldBe(["X-Correlation-ID", "X-Correlation-Flow"]);
        var edgeFlow = FlowOracle.Parse(sent.Message.Headers.GetLastBytes("X-Correlation-Flow"))!;
        edgeFlow.Depth.ShouldBe(1);

        using (var consumer = kafka.AssignedConsumer(first))
        {
            ConsumeResult<string, string>? handled = null;
            KafkaFixture.Until(
                () => handled is not null,
                () => handled = consumer.ConsumeWithCorrelation(
                    middle,
                    _ =>
                    {
                        CorrelationContext.Current!.Depth.ShouldBe(1);
                        middleProducer.ProduceAsync(new TopicPartition(second, 0), new Message<string, string> { Value = "b" }).GetAwaiter().GetResult();
                    },
                    TimeSpan.FromMilliseconds(200)),
                "the first record was not consumed");
        }

        using var downstream = kafka.AssignedConsumer(second);
        ConsumeResult<string, string>? record = null;
        CorrelationContext? seen = null;
        KafkaFixture.Until(
            () => record is not null,
            () => record = downstream.ConsumeWithCorrelation(edge, _ => seen = CorrelationContext.Current, TimeSpan.FromMilliseconds(200)),
            "the second record was not consumed");

        record!.Message.Headers.Select(h => h.Key).ShouldBe(["X-Correlation-ID", "X-Causation-ID", "X-Correlation-Flow"], "no new header: X-Message-ID is gone");
        FlowOracle.Parse(record.Message.Headers.GetLastBytes("X-Correlation-Flow")).ShouldBe(edgeFlow with { Depth = 2 });
        (seen!.CorrelationId, seen.Depth, seen.Origin, seen.StartedAt.ToUnixTimeMilliseconds()).ShouldBe(("kafka-flow", 2, "kafka-edge", edgeFlow.StartUnixMilliseconds));
        seen.CausationId.ShouldBe($"{first}:0:0");
    }

    [Fact]
    public async Task MalformedFlowFromRawProducer_EveryKind_HandledWithIdKeptFlowRestarted()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions { ServiceName = "kafka-consumer" });
        var topic = await ProduceMalformedAsync();
        var outcomes = new Dictionary<int, CorrelationContext>();
        using var consumer = kafka.AssignedConsumer(topic);

        KafkaFixture.Until(
            () => outcomes.Count >= Values.Count,
            () => consumer.ConsumeWithCorrelation(propagator, r => outcomes.Add(int.Parse(r.Message.Key, CultureInfo.InvariantCulture), CorrelationContext.Current!), TimeSpan.FromMilliseconds(200)),
            "not every record was handled");

        Values.Count.ShouldBeGreaterThanOrEqualTo(10);
        for (var i = 0; i < Values.Count; i++)
        {
            var context = outcomes[i];
            (context.CorrelationId, context.Depth, context.Origin).ShouldBe(($"bad-flow-{i}", 0, "kafka-consumer"), Values[i].Kind);
        }
    }

    [Fact]
    public async Task MalformedFlowFromRawProducer_Reject_EveryRecordReachesTheCallersDeadLetterPath()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions { InvalidIdPolicy = InvalidCorrelationIdPolicy.Reject });
        var topic = await ProduceMalformedAsync();
        var handled = new List<int>();
        var rejected = new List<int>();
        using var consumer = kafka.AssignedConsumer(topic);

        KafkaFixture.Until(
            () => handled.Count + rejected.Count >= Values.Count,
            () =>
            {
                try
                {
                    consumer.ConsumeWithCorrelation(propagator, r => handled.Add(int.Parse(r.Message.Key, CultureInfo.InvariantCulture)), TimeSpan.FromMilliseconds(200));
                }
                catch (ConsumeProcessingException<string, string> ex)
                {
                    ex.InnerException.ShouldBeOfType<CorrelationIdRejectedException>().Problem.ShouldBe(CorrelationIdProblem.InvalidFlowMetadata);
                    rejected.Add(int.Parse(ex.ConsumeResult!.Message.Key, CultureInfo.InvariantCulture));
                }
            },
            "not every record was handled or rejected");

        handled.ShouldBeEmpty();
        rejected.Order().ShouldBe(Enumerable.Range(0, Values.Count));
    }

    /// <summary>The oracle's malformed values plus Kafka's own: a null header value and a 0-byte value.</summary>
    private static readonly List<(string Kind, byte[]? Bytes)> Values =
        [.. FlowOracle.Malformed.Select(m => (m.Kind, (byte[]?)m.Bytes)), ("null header value", null), ("0-byte value", [])];

    private async Task<string> ProduceMalformedAsync()
    {
        var topic = KafkaFixture.NewTopic("flow-bad");
        using var raw = kafka.RawProducer();
        for (var i = 0; i < Values.Count; i++)
        {
            var headers = new Headers { { "X-Correlation-ID", Encoding.UTF8.GetBytes($"bad-flow-{i}") }, { "X-Correlation-Flow", Values[i].Bytes! } };
            await raw.ProduceAsync(new TopicPartition(topic, 0), new Message<string, string> { Key = i.ToString(CultureInfo.InvariantCulture), Value = Values[i].Kind, Headers = headers }, TestContext.Current.CancellationToken);
        }

        return topic;
    }
}
