using Confluent.Kafka;
using Correlation.Messaging.Kafka;
using Correlation.Messaging.Kafka.Hosting.Internal;
using Correlation.Messaging.Propagation;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers hosted Kafka consumers that restore each record's correlation context before the handler runs.
/// </summary>
public static class KafkaConsumerServiceCollectionExtensions
{
    /// <summary>
    /// Registers a hosted consumer of <paramref name="topic"/> that runs <typeparamref name="THandler"/> for each record,
    /// with the record's correlation context ambient and its logging scope open.
    /// </summary>
    /// <typeparam name="TKey">The type of the message key.</typeparam>
    /// <typeparam name="TValue">The type of the message value.</typeparam>
    /// <typeparam name="THandler">The handler, resolved from a new scope for every attempt (registered as scoped unless it already is).</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="topic">The topic to subscribe to; it may be created after the consumer starts.</param>
    /// <param name="config">The librdkafka consumer configuration; <c>GroupId</c> is required. <c>EnableAutoOffsetStore</c> and <c>EnableAutoCommit</c> are set from <see cref="KafkaConsumerOptions.CommitStrategy"/>.</param>
    /// <param name="configure">Configures the consumer's options, or <see langword="null"/> for the defaults.</param>
    /// <param name="configureConsumer">Configures the consumer builder (deserializers, statistics), or <see langword="null"/>.</param>
    /// <param name="configureDeadLetterProducer">Configures the dead-letter producer's builder (serializers for custom types), or <see langword="null"/>.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/>, <paramref name="topic"/> or <paramref name="config"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="topic"/> is empty, or <paramref name="config"/> has no <c>group.id</c>.</exception>
    /// <remarks>
    /// Calls <c>AddCorrelation()</c> when it was not called yet. The options are validated when the host starts.
    /// </remarks>
    public static IServiceCollection AddKafkaConsumer<TKey, TValue, THandler>(
        this IServiceCollection services,
        string topic,
        ConsumerConfig config,
        Action<KafkaConsumerOptions>? configure = null,
        Action<ConsumerBuilder<TKey, TValue>>? configureConsumer = null,
        Action<ProducerBuilder<TKey, TValue>>? configureDeadLetterProducer = null)
        where THandler : class, IKafkaHandler<TKey, TValue>
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(config);
        if (string.IsNullOrEmpty(config.GroupId))
        {
            throw new ArgumentException("A hosted Kafka consumer needs a GroupId: its offsets are committed for that group.", nameof(config));
        }

        if (!services.Any(d => d.ServiceType == typeof(CorrelationPropagator)))
        {
            services.AddCorrelation();
        }

        var name = $"{typeof(THandler).FullName}:{topic}:{config.GroupId}";
        var registration = new KafkaConsumerRegistration<TKey, TValue>(name, topic, [.. config], configureConsumer, configureDeadLetterProducer);
        var options = services.AddOptions<KafkaConsumerOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.DeadLetterTopic != topic, $"KafkaConsumerOptions.DeadLetterTopic of the consumer of '{topic}' is the consumed topic itself.");
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KafkaConsumerOptions>, KafkaConsumerOptionsValidator>());
        services.TryAddScoped<THandler>();
        services.AddSingleton<IHostedService>(provider => new KafkaConsumerService<TKey, TValue, THandler>(
            registration,
            provider.GetRequiredService<IOptionsMonitor<KafkaConsumerOptions>>().Get(name),
            provider.GetRequiredService<IServiceScopeFactory>(),
            provider.GetRequiredService<CorrelationPropagator>(),
            provider.GetRequiredService<IHostApplicationLifetime>(),
            provider.GetService<ILoggerFactory>() ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));
        return services;
    }
}
