using Correlation.Messaging.Propagation;

namespace Correlation.Messaging;

/// <summary>
/// An item together with the flow it was created in, for in-memory hand-offs such as a
/// <see cref="System.Threading.Channels.Channel{T}"/> read by a <c>BackgroundService</c>.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
/// <remarks>
/// A hosted service's loop runs under the context that was ambient when the host started, not under the context of the
/// request that wrote the item. Write <see cref="Correlated{T}"/> items (see <see cref="Correlated.Capture{T}(T)"/> and
/// <see cref="CorrelatedChannelExtensions"/>) and open <see cref="Restore"/> around the processing of each one.
/// </remarks>
public readonly struct Correlated<T>
{
    private readonly CorrelationCapsule? _capsule;

    /// <summary>Initializes a new instance of the <see cref="Correlated{T}"/> struct.</summary>
    /// <param name="value">The item.</param>
    /// <param name="capsule">The flow the item belongs to; <see langword="null"/> is <see cref="CorrelationCapsule.Empty"/>.</param>
    public Correlated(T value, CorrelationCapsule? capsule)
    {
        Value = value;
        _capsule = capsule;
    }

    /// <summary>Gets the item.</summary>
    public T Value { get; }

    /// <summary>Gets the flow the item was created in; <see cref="CorrelationCapsule.Empty"/> when it was created outside any flow.</summary>
    public CorrelationCapsule Capsule => _capsule ?? CorrelationCapsule.Empty;

    /// <summary>Makes the item's flow ambient, with a logging scope, until the returned scope is disposed.</summary>
    /// <param name="propagator">The propagator whose options, logger and metrics apply.</param>
    /// <param name="workId">The ID of this unit of work, if it has one (see <see cref="CorrelationCapsule.Restore"/>).</param>
    /// <returns>The scope; an item created outside any flow runs under a new ID of its own.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="propagator"/> is <see langword="null"/>.</exception>
    public CorrelationScope Restore(CorrelationPropagator propagator, string? workId = null) => Capsule.Restore(propagator, workId);
}

/// <summary>Creates <see cref="Correlated{T}"/> items.</summary>
public static class Correlated
{
    /// <summary>Pairs <paramref name="value"/> with the ambient flow (see <see cref="CorrelationContext.Capture"/>).</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="value">The item.</param>
    /// <returns>The item and its flow.</returns>
    public static Correlated<T> Capture<T>(T value) => new(value, CorrelationContext.Capture());
}
