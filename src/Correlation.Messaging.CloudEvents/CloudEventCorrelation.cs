using CloudNative.CloudEvents;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.CloudEvents;

/// <summary>
/// The CloudEvents correlation extension (<c>correlationid</c>, <c>causationid</c>) for correlation flows: written on
/// and read from <see cref="CloudEvent"/> instances (structured mode, or any binding that produces a
/// <see cref="CloudEvent"/>), and the binary-mode header names for the broker adapters.
/// </summary>
/// <remarks>
/// <para>Binary mode carries the extension as headers, which the broker adapters read and write themselves once
/// <see cref="AddCloudEventsBinaryMode"/> has added the names to the options. Structured mode carries it inside the
/// body, which the adapters never parse: decode the event in the handler and call <see cref="BeginCorrelationScope"/>.</para>
/// <para>Values read are inbound values like any other: validated, with the configured policy.</para>
/// </remarks>
public static class CloudEventCorrelation
{
    private const string CorrelationIdName = "correlationid";
    private const string CausationIdName = "causationid";

    private static readonly CorrelationHeaderGetter<(CloudEvent Event, CorrelationPropagator Propagator)> Getter = static (carrier, name) =>
        string.Equals(name, carrier.Propagator.HeaderName, StringComparison.Ordinal) ? Read(carrier.Event, CorrelationIdName)
        : string.Equals(name, carrier.Propagator.CausationHeaderName, StringComparison.Ordinal) ? Read(carrier.Event, CausationIdName)
        : InboundHeaderValue.Missing;

    /// <summary>Gets the <c>correlationid</c> extension attribute (a string).</summary>
    public static CloudEventAttribute CorrelationIdAttribute { get; } = CloudEventAttribute.CreateExtension(CorrelationIdName, CloudEventAttributeType.String);

    /// <summary>Gets the <c>causationid</c> extension attribute (a string).</summary>
    public static CloudEventAttribute CausationIdAttribute { get; } = CloudEventAttribute.CreateExtension(CausationIdName, CloudEventAttributeType.String);

    /// <summary>Gets both extension attributes, to pass to a formatter when decoding.</summary>
    public static IReadOnlyList<CloudEventAttribute> Attributes { get; } = [CorrelationIdAttribute, CausationIdAttribute];

    /// <summary>
    /// Sets <c>correlationid</c> to the ambient correlation ID (or a new one, where nothing is ambient) and, while a
    /// message is being handled, <c>causationid</c> to its ID.
    /// </summary>
    /// <param name="cloudEvent">The event to write to.</param>
    /// <param name="propagator">The propagator, or <see langword="null"/> for <see cref="CorrelationPropagator.Default"/>.</param>
    /// <returns><paramref name="cloudEvent"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="cloudEvent"/> is <see langword="null"/>.</exception>
    public static CloudEvent SetCorrelation(this CloudEvent cloudEvent, CorrelationPropagator? propagator = null)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        var context = (propagator ?? CorrelationPropagator.Default).GetOutgoingContext();
        cloudEvent[CorrelationIdAttribute] = context.CorrelationId;
        cloudEvent[CausationIdAttribute] = context.MessageId;
        return cloudEvent;
    }

    /// <summary>
    /// Reads <c>correlationid</c> and <c>causationid</c> from a received event, applies validation and the policies, and
    /// makes the context ambient for handling the event (its <see cref="CloudEvent.Id"/> is the handled message's ID).
    /// </summary>
    /// <param name="cloudEvent">The received event.</param>
    /// <param name="propagator">The propagator, or <see langword="null"/> for <see cref="CorrelationPropagator.Default"/>.</param>
    /// <returns>The scope; dispose it when the event has been handled.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="cloudEvent"/> is <see langword="null"/>.</exception>
    /// <exception cref="CorrelationIdRejectedException">The ID is invalid or missing and the policy is to reject it.</exception>
    public static CorrelationScope BeginCorrelationScope(this CloudEvent cloudEvent, CorrelationPropagator? propagator = null)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        propagator ??= CorrelationPropagator.Default;
        return propagator.BeginConsumeScope((cloudEvent, propagator), Getter, cloudEvent.Id ?? string.Empty);
    }

    /// <summary>
    /// Adds the binary-mode header names of the extension on <paramref name="transport"/>: read after the other
    /// correlation and causation names, and written next to ours (one more header each; see <c>docs/wire-format.md</c>).
    /// </summary>
    /// <param name="options">The options.</param>
    /// <param name="transport">The transport binding whose header names to add.</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="transport"/> is not a defined value.</exception>
    public static CorrelationOptions AddCloudEventsBinaryMode(this CorrelationOptions options, CloudEventsTransport transport)
    {
        ArgumentNullException.ThrowIfNull(options);
        string[] prefixes = transport switch
        {
            CloudEventsTransport.Kafka => ["ce_"],
            CloudEventsTransport.Amqp => ["cloudEvents_", "cloudEvents:"],
            _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, "Unknown transport."),
        };

        foreach (var prefix in prefixes)
        {
            AddOnce(options.ReadAliases, prefix + CorrelationIdName);
            AddOnce(options.CausationReadAliases, prefix + CausationIdName);
        }

        AddOnce(options.WriteAliases, prefixes[0] + CorrelationIdName);
        AddOnce(options.CausationWriteAliases, prefixes[0] + CausationIdName);
        return options;
    }

    private static InboundHeaderValue Read(CloudEvent cloudEvent, string name)
    {
        // An extension the formatter did not know is kept by name (as a string when it was one), so look it up by name.
        var value = cloudEvent[name];
        return value switch
        {
            null => InboundHeaderValue.Missing,
            string text => InboundHeaderValue.FromText(text),
            _ => InboundHeaderValue.WrongType(value.GetType().Name),
        };
    }

    private static void AddOnce(IList<string> names, string name)
    {
        if (!names.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            names.Add(name);
        }
    }
}
