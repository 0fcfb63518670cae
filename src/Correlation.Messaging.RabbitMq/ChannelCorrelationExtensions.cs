using Correlation.Messaging.Propagation;
using RabbitMQ.Client;

namespace Correlation.Messaging.RabbitMq;

/// <summary>
/// Publishes with RabbitMQ.Client, carrying the ambient correlation context.
/// </summary>
public static class ChannelCorrelationExtensions
{
    /// <summary>
    /// Publishes a message carrying the ambient correlation context (or a generated one): see
    /// <see cref="BasicPropertiesCorrelationExtensions.WithCorrelation(BasicProperties, CorrelationPropagator?)"/>.
    /// </summary>
    /// <param name="channel">The channel.</param>
    /// <param name="exchange">The exchange; empty for the default exchange.</param>
    /// <param name="routingKey">The routing key.</param>
    /// <param name="body">The message body.</param>
    /// <param name="properties">The properties to publish with (modified), or <see langword="null"/> for new ones.</param>
    /// <param name="mandatory">Whether the broker returns an unroutable message.</param>
    /// <param name="propagator">The propagator, or <see langword="null"/> for <see cref="CorrelationPropagator.Default"/>.</param>
    /// <param name="cancellationToken">A token that cancels the publish.</param>
    /// <returns>A task that completes when the message is published (and confirmed, when publisher confirms are on).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="channel"/>, <paramref name="exchange"/> or <paramref name="routingKey"/> is <see langword="null"/>.</exception>
    public static ValueTask BasicPublishWithCorrelationAsync(
        this IChannel channel,
        string exchange,
        string routingKey,
        ReadOnlyMemory<byte> body,
        BasicProperties? properties = null,
        bool mandatory = false,
        CorrelationPropagator? propagator = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(routingKey);
        properties = (properties ?? new BasicProperties()).WithCorrelation(propagator);
        return channel.BasicPublishAsync(exchange, routingKey, mandatory, properties, body, cancellationToken);
    }
}
