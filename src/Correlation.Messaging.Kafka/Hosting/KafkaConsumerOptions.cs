using System.ComponentModel.DataAnnotations;

namespace Correlation.Messaging.Kafka;

/// <summary>
/// Options of one hosted Kafka consumer registered with <c>AddKafkaConsumer</c>; validated when the host starts.
/// </summary>
public sealed class KafkaConsumerOptions
{
    /// <summary>Gets or sets when the offsets of handled records are committed.</summary>
    /// <value>The default is <see cref="KafkaCommitStrategy.AfterEachRecord"/>.</value>
    public KafkaCommitStrategy CommitStrategy { get; set; } = KafkaCommitStrategy.AfterEachRecord;

    /// <summary>Gets or sets how often stored offsets are committed with <see cref="KafkaCommitStrategy.Batched"/>.</summary>
    /// <value>The default is 5 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets how many partitions are handled at once. Records of one partition are always handled one at a time,
    /// in offset order.
    /// </summary>
    /// <value>The default is 1.</value>
    [Range(1, 1024)]
    public int MaxDegreeOfParallelism { get; set; } = 1;

    /// <summary>
    /// Gets or sets how many consumed records of one partition may wait for their handler; when a partition's buffer is
    /// full, consuming waits.
    /// </summary>
    /// <value>The default is 100.</value>
    [Range(1, 100_000)]
    public int BufferedRecordsPerPartition { get; set; } = 100;

    /// <summary>Gets or sets how many times a failed record is handled again before it is dead-lettered.</summary>
    /// <value>The default is 2 (three attempts in all).</value>
    [Range(0, 100)]
    public int MaxRetries { get; set; } = 2;

    /// <summary>Gets or sets the pause before the first retry of a failed record; it doubles on each further retry.</summary>
    /// <value>The default is 200 milliseconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Gets or sets the topic that receives a record whose retries are exhausted, or whose correlation ID was rejected
    /// by policy. The dead-lettered record keeps its key, value and every header (so the same correlation, causation and
    /// message IDs), plus <c>X-Dead-Letter-Source</c> and <c>X-Dead-Letter-Reason</c>.
    /// </summary>
    /// <value>
    /// The default is <see langword="null"/>: such a record is not committed, and the consumer stops the host with an
    /// error log event, so that the record is read again after the fault is fixed. Nothing is skipped silently.
    /// </value>
    public string? DeadLetterTopic { get; set; }

    /// <summary>
    /// Gets or sets the pause after the first non-fatal consume error (for example "Subscribed topic not available"
    /// while the topic does not exist yet); it doubles on each consecutive error up to <see cref="MaxConsumeErrorDelay"/>.
    /// </summary>
    /// <value>The default is 500 milliseconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ConsumeErrorDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets the longest pause between consume attempts after consecutive non-fatal errors.</summary>
    /// <value>The default is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MaxConsumeErrorDelay { get; set; } = TimeSpan.FromSeconds(30);
}
