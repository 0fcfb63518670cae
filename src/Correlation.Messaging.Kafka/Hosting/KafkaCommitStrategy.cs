namespace Correlation.Messaging.Kafka;

/// <summary>
/// When the hosted Kafka consumer commits the offsets of handled records.
/// </summary>
public enum KafkaCommitStrategy
{
    /// <summary>
    /// Commit synchronously after each handled (or dead-lettered) record: the fewest redeliveries after a crash, one
    /// broker round trip per record.
    /// </summary>
    AfterEachRecord = 0,

    /// <summary>
    /// Store each handled record's offset and let the consumer commit the stored offsets every
    /// <see cref="KafkaConsumerOptions.CommitInterval"/>: far fewer round trips; after a crash, the records handled since
    /// the last commit are delivered again.
    /// </summary>
    Batched = 1,
}
