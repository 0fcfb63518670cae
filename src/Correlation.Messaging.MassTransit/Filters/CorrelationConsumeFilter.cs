using System.Diagnostics;
using System.Globalization;
using Correlation.Messaging.Diagnostics;
using Correlation.Messaging.MassTransit.Internal;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Tracing;
using MassTransit;

namespace Correlation.Messaging.MassTransit.Filters;

/// <summary>
/// Makes the correlation context ambient before any user filter, retry, consumer, handler or saga runs, and restores
/// the previous context afterwards, also when they throw. Throws a rejected ID inside MassTransit's rescue pipe, so the
/// message lands in the error queue with the reason.
/// </summary>
/// <remarks>
/// On an endpoint with <see cref="CorrelationReceiveFilter"/> it reuses that filter's result; on an endpoint configured
/// before <c>UseCorrelationPropagation</c> (which therefore has no receive filter) it extracts the metadata itself.
/// </remarks>
internal sealed class CorrelationConsumeFilter(CorrelationPropagator propagator, TransportCorrelation transport) : IFilter<ConsumeContext>
{
    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        if (context.ReceiveContext.TryGetPayload<ReceivedCorrelation>(out var received))
        {
            received.ThrowIfRejected();

            // MassTransit writes its own conversation ID to the receive span once the message is deserialized, after
            // the receive filter tagged it: the correlation ID takes the attribute back here.
            var current = received.Context!;
            CorrelationSpanAttributes.Tag(Activity.Current, propagator.Options, current.CorrelationId, current.MessageId ?? Format(context.MessageId), current.CausationId);
            if (received.Context!.MessageId is not null || context.MessageId is null)
            {
                return Next(context, next);
            }

            // A delivery without a transport message ID (every transport but RabbitMQ, or a raw AMQP client's message
            // without message_id): take the envelope's message ID.
            var ambient = received.Context;
            return SendInScope(ambient.With(ambient.CausationId, Format(context.MessageId), ambient.Source), context, next);
        }

        var extracted = transport.Extract(context.ReceiveContext, propagator);
        var messageId = transport.TransportMessageId(context.ReceiveContext) ?? Format(context.MessageId);
        return SendInScope(extracted, messageId, context, next);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("correlationConsume");

    private static string? Format(Guid? id) => id?.ToString("D", CultureInfo.InvariantCulture);

    private async Task SendInScope(CorrelationContext correlation, ConsumeContext context, IPipe<ConsumeContext> next)
    {
        using var scope = propagator.BeginScope(correlation);
        await Next(context, next).ConfigureAwait(false);
    }

    private async Task SendInScope(ExtractedCorrelation extracted, string? messageId, ConsumeContext context, IPipe<ConsumeContext> next)
    {
        using var scope = transport.BeginScope(context.ReceiveContext, propagator, extracted, messageId);
        await Next(context, next).ConfigureAwait(false);
    }

    /// <summary>Runs the rest of the pipe; while a flow recorder listens, reports the consume hop and its outcome around it.</summary>
    private static Task Next(ConsumeContext context, IPipe<ConsumeContext> next) =>
        FlowDiagnostics.IsEnabled && CorrelationContext.Current is { } ambient ? SendReported(ambient, context, next) : next.Send(context);

    private static async Task SendReported(CorrelationContext ambient, ConsumeContext context, IPipe<ConsumeContext> next)
    {
        var hop = FlowDiagnostics.Start(
            FlowHopKind.Consume,
            "masstransit",
            MessageTypeNames.Destination(context.ReceiveContext.InputAddress),
            MessageTypeNames.Of(context),
            ambient);
        try
        {
            await next.Send(context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            FlowDiagnostics.Stop(hop, ex);
            throw;
        }

        FlowDiagnostics.Stop(hop);
    }
}
