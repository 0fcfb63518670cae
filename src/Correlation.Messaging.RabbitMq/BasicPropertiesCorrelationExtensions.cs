using System.Diagnostics;
using Correlation.Messaging.Diagnostics;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Propagation.Internal;
using Correlation.Messaging.RabbitMq.Internal;
using Correlation.Messaging.Tracing;
using RabbitMQ.Client;

namespace Correlation.Messaging.RabbitMq;

/// <summary>
/// Writes correlation metadata into RabbitMQ.Client <see cref="BasicProperties"/> before <c>BasicPublishAsync</c>.
/// </summary>
public static class BasicPropertiesCorrelationExtensions
{
    /// <summary>
    /// Writes the ambient correlation context to <paramref name="properties"/>: the correlation header, the causation header
    /// while a message is being handled, and the AMQP <c>correlation_id</c>. Where nothing is ambient, a valid correlation
    /// ID (and causation ID) the properties already carry is kept, so relays of stored messages keep their flow; otherwise
    /// an ID is generated.
    /// </summary>
    /// <param name="properties">The properties of the message about to be published; they are modified.</param>
    /// <param name="propagator">The propagator, or <see langword="null"/> for <see cref="CorrelationPropagator.Default"/>.</param>
    /// <returns><paramref name="properties"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="properties"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// An AMQP <c>correlation_id</c> that is already set (request/reply, or any other use of the application) is kept;
    /// the header still carries the correlation ID. So does an ID longer than the 255 bytes of an AMQP short string.
    /// </remarks>
    public static BasicProperties WithCorrelation(this BasicProperties properties, CorrelationPropagator? propagator = null)
    {
        ArgumentNullException.ThrowIfNull(properties);
        propagator ??= CorrelationPropagator.Default;

        // Outside any scope, a valid ID the properties already carry (a relay of stored messages) is kept.
        return properties.WithCorrelation(propagator.GetOutgoingContext((IReadOnlyBasicProperties)properties, AmqpCarrier.PropertiesGetter), propagator);
    }

    /// <summary>
    /// Writes <paramref name="context"/> to <paramref name="properties"/>: the correlation header, the causation header when
    /// the context is handling a message (a stale one is removed otherwise), the AMQP <c>correlation_id</c> when it is not
    /// already set, and a new UUIDv7 <c>message_id</c> when the application set none. Our header names are written
    /// canonically; copies in another spelling are removed.
    /// </summary>
    /// <param name="properties">The properties of the message about to be published; they are modified.</param>
    /// <param name="context">The correlation context to write.</param>
    /// <param name="propagator">The propagator, or <see langword="null"/> for <see cref="CorrelationPropagator.Default"/>.</param>
    /// <returns><paramref name="properties"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="properties"/> or <paramref name="context"/> is <see langword="null"/>.</exception>
    /// <remarks>The current <see cref="Activity"/> is tagged with <c>messaging.message.conversation_id</c> (the correlation ID) and the message and causation IDs. With
    /// <see cref="CorrelationOptions.PropagateTraceContext"/> on, the W3C <c>traceparent</c>/<c>tracestate</c> headers are
    /// written too (replacing existing ones): the current activity's, or the trace context of the message being handled.</remarks>
    public static BasicProperties WithCorrelation(this BasicProperties properties, CorrelationContext context, CorrelationPropagator? propagator = null)
    {
        ArgumentNullException.ThrowIfNull(properties);
        ArgumentNullException.ThrowIfNull(context);
        propagator ??= CorrelationPropagator.Default;

        // Reused or copied properties may carry a causation ID of another message, or our names in another spelling:
        // every spelling of ours goes, and the canonical ones are written.
        HeaderLookup.RemoveAllSpellings(properties.Headers, propagator.CausationHeaderName);
        propagator.Inject(context, (IBasicProperties)properties, AmqpCarrier.PropertiesSetter);
        if (!properties.IsMessageIdPresent() || string.IsNullOrEmpty(properties.MessageId))
        {
            properties.MessageId = AmqpCarrier.NewMessageId();
        }

        if (FlowDiagnostics.IsEnabled)
        {
            FlowDiagnostics.Sent(FlowHopKind.Publish, "rabbitmq", destination: null, name: null, properties.MessageId, context);
        }

        AmqpCarrier.TrySetCorrelationIdProperty(properties, context, propagator.HeaderName, propagator.Logger);
        CorrelationSpanAttributes.Tag(Activity.Current, propagator.Options, context.CorrelationId, properties.MessageId, context.MessageId);
        if (propagator.Options.PropagateTraceContext && TraceContextPropagation.TryGetOutgoing(out _, out var traceState))
        {
            if (string.IsNullOrEmpty(traceState))
            {
                properties.Headers?.Remove(TraceContextPropagation.TraceStateHeaderName);
            }

            TraceContextPropagation.Inject((IBasicProperties)properties, AmqpCarrier.TracePropertiesSetter);
        }

        return properties;
    }
}
