using Correlation.Messaging.Propagation;
using MassTransit;

namespace Correlation.Messaging.RabbitMq.Filters;

/// <summary>Writes correlation metadata to every sent message (<c>Send</c>, <c>RespondAsync</c>, requests).</summary>
internal sealed class CorrelationSendFilter(CorrelationPropagator propagator) : IFilter<SendContext>
{
    public Task Send(SendContext context, IPipe<SendContext> next)
    {
        OutgoingCorrelation.Apply(context, propagator);
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("correlationSend");
}
