using Correlation.Messaging.Propagation;
using Correlation.Messaging.Tracing;
using Correlation.Messaging.Tracing.Internal;
using MassTransit;

namespace Correlation.Messaging.MassTransit.Internal;

/// <summary>
/// How a MassTransit transport carries the correlation metadata. This base reads and writes MassTransit's transport
/// headers, which every transport has (in-memory, RabbitMQ, Azure Service Bus, Amazon SQS, ...). A transport with a
/// native correlation property derives from it: <c>Correlation.Messaging.MassTransit.RabbitMq</c> reads the raw AMQP
/// properties and writes the AMQP <c>correlation_id</c>.
/// </summary>
/// <remarks>Stateless and shared by every endpoint of a bus; derived classes must be too.</remarks>
internal class TransportCorrelation
{
    /// <summary>Gets the transport-agnostic behaviour: headers only.</summary>
    public static TransportCorrelation Headers { get; } = new();

    /// <summary>Extracts the correlation metadata of a received message; applies validation and policy.</summary>
    /// <param name="context">The receive context.</param>
    /// <param name="propagator">The propagator.</param>
    /// <returns>The extracted correlation.</returns>
    /// <exception cref="CorrelationIdRejectedException">The policy rejects the value.</exception>
    public virtual ExtractedCorrelation Extract(ReceiveContext context, CorrelationPropagator propagator) =>
        propagator.Extract(context.TransportHeaders, MassTransitHeaders.Getter);

    /// <summary>Reads the W3C trace context (<c>traceparent</c>, <c>tracestate</c>) from the same carrier as <see cref="Extract"/>.</summary>
    /// <param name="context">The receive context.</param>
    /// <returns>The trace context; not valid when absent or malformed.</returns>
    public virtual ExtractedTraceContext ExtractTrace(ReceiveContext context) =>
        TraceContextPropagation.Extract(context.TransportHeaders, MassTransitHeaders.Getter);

    /// <summary>Returns the transport's own message ID of a received message, or <see langword="null"/> to use MassTransit's envelope ID.</summary>
    /// <param name="context">The receive context.</param>
    /// <returns>The message ID.</returns>
    public virtual string? TransportMessageId(ReceiveContext context) => null;

    /// <summary>Writes the correlation ID to the transport's native property, if it has one. The headers are already written.</summary>
    /// <param name="context">The send or publish context.</param>
    /// <param name="correlation">The correlation context written to the headers.</param>
    /// <param name="propagator">The propagator.</param>
    public virtual void ApplyNative(SendContext context, CorrelationContext correlation, CorrelationPropagator propagator)
    {
    }

    /// <summary>
    /// Opens the consume scope with the one Core helper every adapter uses: the inbound trace context (when
    /// <see cref="CorrelationOptions.PropagateTraceContext"/> is on, so that messages sent while handling this one carry it
    /// even when no activity is recorded), then the logging scope, then the ambient context; MassTransit's current span is tagged.
    /// </summary>
    /// <param name="context">The receive context.</param>
    /// <param name="propagator">The propagator.</param>
    /// <param name="extracted">The extracted correlation.</param>
    /// <param name="messageId">The handled message's ID.</param>
    /// <returns>The scope.</returns>
    public CorrelationScope BeginScope(ReceiveContext context, CorrelationPropagator propagator, in ExtractedCorrelation extracted, string? messageId) =>
        TracedConsumeScope.Begin(
            propagator,
            extracted,
            messageId,
            propagator.Options.PropagateTraceContext ? ExtractTrace(context) : default,
            activity: null,
            previousActivity: null);
}
