using Confluent.Kafka;
using Correlation.Messaging.Kafka.Producer.Internal;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Kafka;

/// <summary>
/// Adds correlation headers to an existing Confluent producer.
/// </summary>
public static class ProducerCorrelationExtensions
{
    /// <summary>
    /// Returns a producer that writes the correlation ID, the causation ID (when producing while a consumed message is
    /// handled) and a new message ID into the headers of every message, and passes everything else to <paramref name="producer"/>.
    /// </summary>
    /// <typeparam name="TKey">The type of the message key.</typeparam>
    /// <typeparam name="TValue">The type of the message value.</typeparam>
    /// <param name="producer">The producer to wrap. The returned producer owns it: disposing one disposes the other.</param>
    /// <param name="propagator">The propagator whose header names and ID generator to use.</param>
    /// <returns>The correlating producer. A producer that already correlates with <paramref name="propagator"/> is returned as is.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="producer"/> or <paramref name="propagator"/> is <see langword="null"/>.</exception>
    public static IProducer<TKey, TValue> WithCorrelation<TKey, TValue>(this IProducer<TKey, TValue> producer, CorrelationPropagator propagator)
    {
        ArgumentNullException.ThrowIfNull(producer);
        ArgumentNullException.ThrowIfNull(propagator);

        if (producer is CorrelatingProducer<TKey, TValue> correlating)
        {
            return ReferenceEquals(correlating.Propagator, propagator)
                ? correlating
                : new CorrelatingProducer<TKey, TValue>(correlating.Inner, propagator);
        }

        return new CorrelatingProducer<TKey, TValue>(producer, propagator);
    }
}
