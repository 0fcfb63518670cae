using Correlation.Messaging.Diagnostics;
using Correlation.Messaging.MassTransit.Internal;
using Correlation.Messaging.Propagation;
using MassTransit;

namespace Correlation.Messaging.MassTransit.Filters;

/// <summary>Writes correlation metadata to every published message (publish does not run send filters).</summary>
internal sealed class CorrelationPublishFilter(CorrelationPropagator propagator, TransportCorrelation transport) : IFilter<PublishContext>
{
    public Task Send(PublishContext context, IPipe<PublishContext> next)
    {
        OutgoingCorrelation.Apply(context, propagator, transport, FlowHopKind.Publish);
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("correlationPublish");
}
