using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq.Internal;
using MassTransit;

namespace Correlation.Messaging.RabbitMq.Filters;

/// <summary>What the send and publish filters do to an outgoing message: one implementation for both pipes.</summary>
internal static class OutgoingCorrelation
{
    /// <summary>
    /// Writes the ambient (or a generated) correlation ID and, while handling a message, the causation ID as headers,
    /// and the correlation ID to the AMQP <c>correlation_id</c> when MassTransit does not own it.
    /// </summary>
    /// <param name="context">The send or publish context.</param>
    /// <param name="propagator">The propagator.</param>
    /// <remarks>
    /// <para>MassTransit writes <see cref="SendContext.CorrelationId"/> (a <see cref="Guid"/> with saga and correlation
    /// meaning) to <c>correlation_id</c> after the send pipe. When it has one, the property is left to it; when it gets one
    /// later (a per-call pipe), it overwrites ours. Either way its value wins and the header still carries our ID.</para>
    /// <para>A message that already carries a correlation header while no context is ambient (a filter before this one
    /// restored stored headers) keeps it: generating a new ID would split its flow.</para>
    /// </remarks>
    public static void Apply(SendContext context, CorrelationPropagator propagator)
    {
        // Ambient context, else a valid header the message already carries (restored by a filter or copied by CopyHeaders),
        // else a new ID; always written back under the canonical names.
        var correlation = propagator.GetOutgoingContext(context.Headers, AmqpCarrier.TransportHeadersGetter);
        AmqpCarrier.RemoveAllSpellings(context.Headers, propagator.CausationHeaderName);
        propagator.Inject(correlation, context.Headers, AmqpCarrier.SendHeadersSetter);

        if (!context.CorrelationId.HasValue
            && (context as RabbitMqSendContext ?? (context.TryGetPayload<RabbitMqSendContext>(out var payload) ? payload : null)) is { } rabbit)
        {
            AmqpCarrier.TrySetCorrelationIdProperty(rabbit.BasicProperties, correlation, propagator.HeaderName, propagator.Logger);
        }
    }
}
