using Correlation.Messaging.Propagation;
using MassTransit;

namespace Correlation.Messaging.RabbitMq.Filters;

/// <summary>Writes correlation metadata to every published message (publish does not run send filters).</summary>
internal sealed class CorrelationPublishFilter(CorrelationPropagator propagator) : IFilter<PublishContext>
{
    public Task Send(PublishContext context, IPipe<PublishContext> next)
    {
        OutgoingCorrelation.Apply(context, propagator);
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("correlationPublish");
}
