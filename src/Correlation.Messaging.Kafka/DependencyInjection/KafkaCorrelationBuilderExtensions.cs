using Confluent.Kafka;
using Correlation.Messaging.Kafka;
using Correlation.Messaging.Propagation;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers correlating Kafka producers.
/// </summary>
public static class KafkaCorrelationBuilderExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="IProducer{TKey, TValue}"/> built by <see cref="CorrelatingProducerBuilder{TKey, TValue}"/>
    /// with the registered <see cref="CorrelationPropagator"/>, unless an <see cref="IProducer{TKey, TValue}"/> is already registered.
    /// </summary>
    /// <typeparam name="TKey">The type of the message key.</typeparam>
    /// <typeparam name="TValue">The type of the message value.</typeparam>
    /// <param name="builder">The builder returned by <c>AddCorrelation</c>.</param>
    /// <param name="config">The librdkafka configuration (for example a <see cref="ProducerConfig"/>).</param>
    /// <param name="configure">Configures the producer builder (serializers, handlers), or <see langword="null"/>.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="config"/> is <see langword="null"/>.</exception>
    /// <remarks>The container disposes the producer, which disposes the Confluent producer; call <c>Flush</c> before that to deliver pending messages.</remarks>
    public static ICorrelationBuilder AddKafkaProducer<TKey, TValue>(
        this ICorrelationBuilder builder,
        IEnumerable<KeyValuePair<string, string>> config,
        Action<CorrelatingProducerBuilder<TKey, TValue>>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(config);

        var settings = config.ToArray();
        builder.Services.TryAddSingleton(provider =>
        {
            var producerBuilder = new CorrelatingProducerBuilder<TKey, TValue>(settings, provider.GetRequiredService<CorrelationPropagator>());
            configure?.Invoke(producerBuilder);
            return producerBuilder.Build();
        });
        return builder;
    }
}
