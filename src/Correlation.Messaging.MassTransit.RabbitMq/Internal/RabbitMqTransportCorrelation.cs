using Correlation.Messaging.MassTransit.Internal;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq.Internal;
using Correlation.Messaging.Tracing;
using MassTransit;

namespace Correlation.Messaging.MassTransit.RabbitMq.Internal;

/// <summary>
/// MassTransit's RabbitMQ transport as a carrier: reads the raw AMQP properties (header, then <c>correlation_id</c>, then
/// the aliases; <c>message_id</c> as the handled message's ID) and writes the AMQP <c>correlation_id</c> when nobody else
/// owns it. The AMQP rules themselves are <see cref="AmqpCarrier"/>'s, shared with the RabbitMQ.Client helpers.
/// </summary>
/// <remarks>
/// The raw properties are read rather than <see cref="ReceiveContext.TransportHeaders"/>, which decodes invalid UTF-8
/// leniently, hides empty values and answers <c>CorrelationId</c> with the AMQP property. A receive context of another
/// transport (a bus with several) falls back to the headers.
/// </remarks>
internal sealed class RabbitMqTransportCorrelation : TransportCorrelation
{
    public static RabbitMqTransportCorrelation Instance { get; } = new();

    public override ExtractedCorrelation Extract(ReceiveContext context, CorrelationPropagator propagator) =>
        Rabbit(context) is { } rabbit
            ? propagator.Extract(rabbit.Properties, AmqpCarrier.PropertiesGetter, AmqpCarrier.NativeCorrelationId(rabbit.Properties))
            : base.Extract(context, propagator);

    public override ExtractedTraceContext ExtractTrace(ReceiveContext context) =>
        Rabbit(context) is { } rabbit
            ? TraceContextPropagation.Extract(rabbit.Properties, AmqpCarrier.PropertiesGetter)
            : base.ExtractTrace(context);

    public override string? TransportMessageId(ReceiveContext context) =>
        Rabbit(context) is { } rabbit ? AmqpCarrier.MessageId(rabbit.Properties) : null;

    /// <remarks>
    /// MassTransit writes <see cref="SendContext.CorrelationId"/> (a <see cref="Guid"/> with saga and correlation
    /// meaning) to <c>correlation_id</c> after the send pipe. When it has one, the property is left to it; when it gets one
    /// later (a per-call pipe), it overwrites ours. Either way its value wins and the header still carries our ID.
    /// </remarks>
    public override void ApplyNative(SendContext context, CorrelationContext correlation, CorrelationPropagator propagator)
    {
        if (!context.CorrelationId.HasValue
            && (context as RabbitMqSendContext ?? (context.TryGetPayload<RabbitMqSendContext>(out var payload) ? payload : null)) is { } rabbit)
        {
            AmqpCarrier.TrySetCorrelationIdProperty(rabbit.BasicProperties, correlation, propagator.HeaderName, propagator.Logger);
        }
    }

    private static RabbitMqBasicConsumeContext? Rabbit(ReceiveContext context) =>
        context as RabbitMqBasicConsumeContext ?? (context.TryGetPayload<RabbitMqBasicConsumeContext>(out var payload) ? payload : null);
}
