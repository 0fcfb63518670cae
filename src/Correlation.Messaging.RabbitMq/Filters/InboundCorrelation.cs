using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq.Internal;
using Correlation.Messaging.Tracing;
using Correlation.Messaging.Tracing.Internal;
using MassTransit;

namespace Correlation.Messaging.RabbitMq.Filters;

/// <summary>Reads the correlation metadata of a received message: raw AMQP properties on RabbitMQ, transport headers elsewhere.</summary>
internal static class InboundCorrelation
{
    /// <summary>Extracts with the precedence header, AMQP <c>correlation_id</c>, aliases; applies validation and policy.</summary>
    /// <param name="context">The receive context.</param>
    /// <param name="propagator">The propagator.</param>
    /// <returns>The extracted correlation.</returns>
    /// <exception cref="CorrelationIdRejectedException">The policy rejects the value.</exception>
    /// <remarks>
    /// On RabbitMQ the raw properties are read rather than <see cref="ReceiveContext.TransportHeaders"/>, which decodes
    /// invalid UTF-8 leniently, hides empty values and answers <c>CorrelationId</c> with the AMQP property.
    /// </remarks>
    public static ExtractedCorrelation Extract(ReceiveContext context, CorrelationPropagator propagator) =>
        Rabbit(context) is { } rabbit
            ? propagator.Extract(rabbit.Properties, AmqpCarrier.PropertiesGetter, AmqpCarrier.NativeCorrelationId(rabbit.Properties))
            : propagator.Extract(context.TransportHeaders, AmqpCarrier.TransportHeadersGetter);

    /// <summary>Reads the W3C trace context (<c>traceparent</c>, <c>tracestate</c>) from the same carrier as <see cref="Extract"/>.</summary>
    /// <param name="context">The receive context.</param>
    /// <returns>The trace context; not valid when absent or malformed.</returns>
    public static ExtractedTraceContext ExtractTrace(ReceiveContext context) =>
        Rabbit(context) is { } rabbit
            ? TraceContextPropagation.Extract(rabbit.Properties, AmqpCarrier.PropertiesGetter)
            : TraceContextPropagation.Extract(context.TransportHeaders, AmqpCarrier.TransportHeadersGetter);

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
    public static CorrelationScope BeginScope(ReceiveContext context, CorrelationPropagator propagator, in ExtractedCorrelation extracted, string? messageId) =>
        TracedConsumeScope.Begin(
            propagator,
            extracted,
            messageId,
            propagator.Options.PropagateTraceContext ? ExtractTrace(context) : default,
            activity: null,
            previousActivity: null);

    /// <summary>Returns the transport message ID (AMQP <c>message_id</c>), or <see langword="null"/>.</summary>
    /// <param name="context">The receive context.</param>
    /// <returns>The message ID.</returns>
    public static string? TransportMessageId(ReceiveContext context) =>
        Rabbit(context) is { } rabbit ? AmqpCarrier.MessageId(rabbit.Properties) : null;

    private static RabbitMqBasicConsumeContext? Rabbit(ReceiveContext context) =>
        context as RabbitMqBasicConsumeContext ?? (context.TryGetPayload<RabbitMqBasicConsumeContext>(out var payload) ? payload : null);
}
