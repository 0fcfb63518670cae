using System.Text;
using Confluent.Kafka;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Kafka.Tests.Integration;

/// <summary>Issue 13, defect 4, on the broker: a record the value deserializer refuses, in the middle of a batch.</summary>
[Collection(KafkaCollection.Name)]
public sealed class BatchPoisonRecordTests(KafkaFixture fixture)
{
    [Fact]
    public async Task ConsumeBatchWithCorrelation_PoisonRecordMidBatch_NoRecordLostAndPoisonSurfacedOnce()
    {
        var topic = KafkaFixture.NewTopic("batch-poison");
        await fixture.TryCreateTopicAsync(topic, 1);
        using (var producer = fixture.RawProducer())
        {
            foreach (var value in (string[])["r0", "r1", "poison", "r3"])
            {
                await producer.ProduceAsync(new TopicPartition(topic, 0), new Message<string, string>
                {
                    Value = value,
                    Headers = new Headers { { CorrelationHeaders.CorrelationId, Encoding.UTF8.GetBytes("flow-" + value) } },
                }, TestContext.Current.CancellationToken);
            }
        }

        using var consumer = new ConsumerBuilder<string, string>(fixture.ConsumerConfig("poison-" + Guid.NewGuid().ToString("N")))
            .SetValueDeserializer(new RefusePoison())
            .Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var handled = new List<string>();
        var poisonSeen = 0;

        KafkaFixture.Until(
            () => handled.Count >= 3 && poisonSeen == 1,
            () =>
            {
                try
                {
                    foreach (var result in consumer.ConsumeBatchWithCorrelation(CorrelationPropagator.Default, 10, TimeSpan.FromSeconds(1), r => handled.Add(r.Message.Value + "@" + CorrelationContext.Current!.CorrelationId)))
                    {
                        consumer.StoreOffset(result);
                    }
                }
                catch (ConsumeException ex) when (ex.Error.Code == ErrorCode.Local_ValueDeserialization)
                {
                    poisonSeen++;
                }
            },
            "r0, r1 and r3 handled, the poison record surfaced");

        handled.ShouldBe(["r0@flow-r0", "r1@flow-r1", "r3@flow-r3"], "records collected before the poison record are handled, not lost");
        poisonSeen.ShouldBe(1);
    }

    private sealed class RefusePoison : IDeserializer<string>
    {
        public string Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
        {
            var text = Encoding.UTF8.GetString(data);
            return text == "poison" ? throw new FormatException("poison record") : text;
        }
    }
}
