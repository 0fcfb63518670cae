using System.Globalization;
using Confluent.Kafka;

namespace Correlation.Messaging.Kafka.Hosting.Internal;

/// <summary>The non-generic constants of the hosted consumer.</summary>
internal static class KafkaConsumerRegistration
{
    /// <summary>The logger category of the hosted consumer's own log events.</summary>
    public const string LoggerCategory = "Correlation.Messaging.Kafka.Consumer";

    /// <summary>
    /// The librdkafka properties a dead-letter producer shares with the consumer: where the cluster is and how to
    /// reach it. Consumer-only properties are left out, so that librdkafka does not warn about them.
    /// </summary>
    private static readonly string[] SharedPrefixes = ["bootstrap.servers", "client.id", "security.", "sasl.", "ssl.", "socket.", "broker.", "client.dns.", "enable.ssl."];

    public static bool IsShared(string key) => SharedPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal));
}

/// <summary>
/// What one <c>AddKafkaConsumer</c> call registered: the topic, the user's configuration and builder hooks; builds the
/// consumer with the settings the hosted consumer relies on.
/// </summary>
internal sealed class KafkaConsumerRegistration<TKey, TValue>(
    string name,
    string topic,
    IReadOnlyList<KeyValuePair<string, string>> config,
    Action<ConsumerBuilder<TKey, TValue>>? configureConsumer,
    Action<ProducerBuilder<TKey, TValue>>? configureDeadLetterProducer)
{
    public string Name { get; } = name;

    public string Topic { get; } = topic;

    public string? GroupId { get; } = config.LastOrDefault(p => p.Key == "group.id").Value;

    public IConsumer<TKey, TValue> BuildConsumer(
        KafkaConsumerOptions options,
        Action<IConsumer<TKey, TValue>, Error> onError,
        Action<IConsumer<TKey, TValue>, List<TopicPartitionOffset>> onRevoked,
        Action<IConsumer<TKey, TValue>, List<TopicPartitionOffset>> onLost)
    {
        var consumerConfig = new ConsumerConfig(config.ToDictionary(p => p.Key, p => p.Value))
        {
            // Offsets are stored only for records that were handled or dead-lettered: at-least-once, whatever the user set.
            EnableAutoOffsetStore = false,
            EnableAutoCommit = options.CommitStrategy == KafkaCommitStrategy.Batched,
        };
        if (options.CommitStrategy == KafkaCommitStrategy.Batched)
        {
            consumerConfig.AutoCommitIntervalMs = (int)options.CommitInterval.TotalMilliseconds;
        }

        var builder = new ConsumerBuilder<TKey, TValue>(consumerConfig);
        configureConsumer?.Invoke(builder);
        return builder
            .SetErrorHandler(onError)
            .SetPartitionsRevokedHandler(onRevoked)
            .SetPartitionsLostHandler(onLost)
            .Build();
    }

    public IProducer<TKey, TValue> BuildDeadLetterProducer()
    {
        var builder = new ProducerBuilder<TKey, TValue>(ProducerConfig());
        configureDeadLetterProducer?.Invoke(builder);
        return builder.Build();
    }

    public IProducer<byte[], byte[]> BuildRawDeadLetterProducer() => new ProducerBuilder<byte[], byte[]>(ProducerConfig()).Build();

    private ProducerConfig ProducerConfig() => new(config.Where(p => KafkaConsumerRegistration.IsShared(p.Key)).ToDictionary(p => p.Key, p => p.Value))
    {
        Acks = Acks.All,
        ClientId = string.Create(CultureInfo.InvariantCulture, $"{GroupId}-dead-letters"),
    };
}
