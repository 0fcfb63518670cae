using Confluent.Kafka;

namespace Correlation.Messaging.Kafka.Hosting.Internal;

/// <summary>One item of a partition's queue: a record to handle, or a record whose key or value could not be deserialized.</summary>
internal readonly record struct PartitionWork<TKey, TValue>(ConsumeResult<TKey, TValue>? Record, ConsumeException? Undeserializable)
{
    public TopicPartitionOffset TopicPartitionOffset => Record?.TopicPartitionOffset ?? Undeserializable!.ConsumerRecord.TopicPartitionOffset;
}
