using System.Globalization;
using Correlation.Messaging.Diagnostics;
using Correlation.Messaging.MassTransit.Internal;
using Correlation.Messaging.Propagation;
using MassTransit;

namespace Correlation.Messaging.MassTransit.Filters;

/// <summary>What the send and publish filters do to an outgoing message: one implementation for both pipes.</summary>
internal static class OutgoingCorrelation
{
    /// <summary>
    /// Writes the ambient (or a generated) correlation ID and, while handling a message, the causation ID as headers,
    /// then lets the transport write its native property (RabbitMQ: the AMQP <c>correlation_id</c>).
    /// </summary>
    /// <param name="context">The send or publish context.</param>
    /// <param name="propagator">The propagator.</param>
    /// <param name="transport">The transport's carrier.</param>
    /// <param name="kind">Send or publish, for the flow diagnostics.</param>
    /// <remarks>
    /// <para>A message that already carries a correlation header while no context is ambient (a filter before this one
    /// restored stored headers) keeps it: generating a new ID would split its flow.</para>
    /// </remarks>
    public static void Apply(SendContext context, CorrelationPropagator propagator, TransportCorrelation transport, FlowHopKind kind)
    {
        // Ambient context, else a valid header the message already carries (restored by a filter or copied by CopyHeaders),
        // else a new ID; always written back under the canonical names.
        var correlation = propagator.GetOutgoingContext(context.Headers, MassTransitHeaders.Getter);
        MassTransitHeaders.RemoveAllSpellings(context.Headers, propagator.CausationHeaderName);
        propagator.Inject(correlation, context.Headers, MassTransitHeaders.Setter);

        transport.ApplyNative(context, correlation, propagator);
        if (FlowDiagnostics.IsEnabled)
        {
            FlowDiagnostics.Sent(
                kind,
                "masstransit",
                MessageTypeNames.Destination(context.DestinationAddress),
                MessageTypeNames.Of(context),
                context.MessageId?.ToString("D", CultureInfo.InvariantCulture),
                correlation);
        }
    }
}
