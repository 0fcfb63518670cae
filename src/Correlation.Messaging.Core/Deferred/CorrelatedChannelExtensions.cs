using System.Threading.Channels;

namespace Correlation.Messaging;

/// <summary>
/// Writes items to a channel of <see cref="Correlated{T}"/> together with the ambient flow, so the reader processes each
/// one in the flow that wrote it.
/// </summary>
/// <example>
/// <code>
/// var channel = Channel.CreateUnbounded&lt;Correlated&lt;Order&gt;&gt;();
/// await channel.Writer.WriteCorrelatedAsync(order, cancellationToken);       // in a request handler
///
/// await foreach (var item in channel.Reader.ReadAllAsync(stoppingToken))    // in a BackgroundService
/// {
///     using var scope = item.Restore(propagator);
///     logger.LogInformation("Processing {OrderId}", item.Value.Id);          // carries the writer's correlation_id
/// }
/// </code>
/// </example>
public static class CorrelatedChannelExtensions
{
    /// <summary>Attempts to write <paramref name="item"/> with the ambient flow.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="writer">The channel writer.</param>
    /// <param name="item">The item.</param>
    /// <returns><see langword="true"/> when the item was written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is <see langword="null"/>.</exception>
    public static bool TryWriteCorrelated<T>(this ChannelWriter<Correlated<T>> writer, T item)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return writer.TryWrite(Correlated.Capture(item));
    }

    /// <summary>Writes <paramref name="item"/> with the ambient flow, waiting for space if the channel is bounded.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="writer">The channel writer.</param>
    /// <param name="item">The item.</param>
    /// <param name="cancellationToken">Cancels the wait for space.</param>
    /// <returns>A task that completes when the item was written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is <see langword="null"/>.</exception>
    public static ValueTask WriteCorrelatedAsync<T>(this ChannelWriter<Correlated<T>> writer, T item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return writer.WriteAsync(Correlated.Capture(item), cancellationToken);
    }
}
