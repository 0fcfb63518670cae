using Correlation.Messaging.Diagnostics;
using Correlation.Messaging.MassTransit.Internal;
using Correlation.Messaging.Propagation;
using MassTransit;

namespace Correlation.Messaging.MassTransit.Filters;

/// <summary>Writes correlation metadata to every sent message (<c>Send</c>, <c>RespondAsync</c>, requests).</summary>
internal sealed class CorrelationSendFilter(CorrelationPropagator propagator, TransportCorrelation transport) : IFilter<SendContext>
{
    public Task Send(SendContext context, IPipe<SendContext> next)
    {
        OutgoingCorrelation.Apply(context, propagator, transport, FlowHopKind.Send);
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("correlationSend");
}
