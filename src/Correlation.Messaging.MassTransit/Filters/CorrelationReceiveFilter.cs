using Correlation.Messaging.MassTransit.Internal;
using Correlation.Messaging.Propagation;
using MassTransit;

namespace Correlation.Messaging.MassTransit.Filters;

/// <summary>
/// Restores the correlation context for the whole receive pipeline of an endpoint, so that the logging scope also covers
/// MassTransit's receive-level lines: deserialization and filter faults (<c>R-FAULT</c>), the <c>ReceiveFault</c> event and
/// the move to the error queue.
/// </summary>
/// <remarks>
/// It runs before MassTransit's rescue filter, so it never throws: a rejected ID is handed to
/// <see cref="CorrelationConsumeFilter"/>, which throws inside the rescue pipe so the message reaches the error queue.
/// </remarks>
internal sealed class CorrelationReceiveFilter(CorrelationPropagator propagator, TransportCorrelation transport) : IFilter<ReceiveContext>
{
    public async Task Send(ReceiveContext context, IPipe<ReceiveContext> next)
    {
        ExtractedCorrelation extracted;
        try
        {
            extracted = transport.Extract(context, propagator);
        }
        catch (CorrelationIdRejectedException rejection)
        {
            var rejected = new ReceivedCorrelation(rejection);
            context.GetOrAddPayload(() => rejected);
            await next.Send(context).ConfigureAwait(false);
            return;
        }

        // The one consume-scope helper: MassTransit's receive span (its consumer span for the delivery, when a listener
        // sampled one) is already current and gets tagged; then the trace context, the logging scope and the context.
        using var scope = transport.BeginScope(context, propagator, extracted, transport.TransportMessageId(context));
        var received = new ReceivedCorrelation(scope.Context!);
        context.GetOrAddPayload(() => received);
        try
        {
            await next.Send(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // MassTransit logs T-FAULT after the pipeline, outside every scope; this line is the correlated one.
            Log.ReceivePipelineFaulted(propagator.Logger, ex, context.InputAddress, scope.Context!.MessageId);
            throw;
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("correlationReceive");
}
