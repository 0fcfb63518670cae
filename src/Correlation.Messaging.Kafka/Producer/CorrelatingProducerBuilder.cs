using Confluent.Kafka;
using Correlation.Messaging.Kafka.Producer.Internal;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Kafka;

/// <summary>
/// A <see cref="ProducerBuilder{TKey, TValue}"/> whose producers write the correlation ID, the causation ID (when
/// producing while a consumed message is handled) and a new message ID into the headers of every message.
/// </summary>
/// <typeparam name="TKey">The type of the message key.</typeparam>
/// <typeparam name="TValue">The type of the message value.</typeparam>
/// <remarks>
/// <para>
/// Configure it like any <see cref="ProducerBuilder{TKey, TValue}"/> (serializers, handlers, partitioners). The producer it
/// builds sends a copy of each message: the caller's <see cref="Message{TKey, TValue}"/> and <see cref="Headers"/> are
/// never modified, and a header the caller already set under one of our names is replaced, so every message carries
/// exactly one of each of our headers.
/// </para>
/// <para>Transactions, <c>Flush</c>, <c>Poll</c> and delivery handlers pass through to the Confluent producer unchanged.
/// Handlers registered on the builder receive the inner Confluent producer.</para>
/// </remarks>
public sealed class CorrelatingProducerBuilder<TKey, TValue> : ProducerBuilder<TKey, TValue>
{
    private readonly CorrelationPropagator _propagator;

    /// <summary>Initializes a new instance of the <see cref="CorrelatingProducerBuilder{TKey, TValue}"/> class with <see cref="CorrelationPropagator.Default"/>.</summary>
    /// <param name="config">The librdkafka configuration (for example a <see cref="ProducerConfig"/>); at least <c>bootstrap.servers</c>.</param>
    public CorrelatingProducerBuilder(IEnumerable<KeyValuePair<string, string>> config)
        : this(config, CorrelationPropagator.Default)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="CorrelatingProducerBuilder{TKey, TValue}"/> class.</summary>
    /// <param name="config">The librdkafka configuration (for example a <see cref="ProducerConfig"/>); at least <c>bootstrap.servers</c>.</param>
    /// <param name="propagator">The propagator whose header names and ID generator the producer uses.</param>
    /// <exception cref="ArgumentNullException"><paramref name="propagator"/> is <see langword="null"/>.</exception>
    public CorrelatingProducerBuilder(IEnumerable<KeyValuePair<string, string>> config, CorrelationPropagator propagator)
        : base(config)
    {
        ArgumentNullException.ThrowIfNull(propagator);
        _propagator = propagator;
    }

    /// <summary>Builds a producer that writes correlation headers to every message.</summary>
    /// <returns>The producer. Disposing it disposes the Confluent producer.</returns>
    public override IProducer<TKey, TValue> Build() => new CorrelatingProducer<TKey, TValue>(base.Build(), _propagator);
}
