using System.Diagnostics;
using Correlation.Messaging.Diagnostics;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq.Internal;
using Correlation.Messaging.Tracing;
using Correlation.Messaging.Tracing.Internal;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Correlation.Messaging.RabbitMq;

/// <summary>
/// An <see cref="AsyncEventingBasicConsumer"/> that makes each delivery's correlation context ambient (with a logging
/// scope) while its <see cref="AsyncEventingBasicConsumer.ReceivedAsync"/> handlers run, and restores the previous
/// context afterwards, also when a handler throws.
/// </summary>
/// <remarks>
/// <para>Read precedence: the correlation header, the AMQP <c>correlation_id</c>, the aliases; then a generated ID.
/// The AMQP <c>message_id</c> is the handled message's ID (a delivery without one gets a new UUIDv7 for its handling),
/// so messages published from a handler carry it as their causation ID.</para>
/// <para>With <see cref="CorrelationOptions.PropagateTraceContext"/> on, each delivery runs in a consumer span
/// <c>&lt;exchange or queue&gt; process</c> (ActivitySource <c>Correlation.Messaging.RabbitMq</c>, only when a listener
/// subscribes), a child of the delivery's <c>traceparent</c>.</para>
/// <para>When the policy rejects a delivery's ID, the handlers are not called and, by default, the delivery is rejected
/// without requeue, so it goes to the queue's dead-letter exchange (configure one: without it, the broker drops the message).</para>
/// </remarks>
public sealed class CorrelatingBasicConsumer : AsyncEventingBasicConsumer
{
    private readonly CorrelationPropagator _propagator;

    /// <summary>Initializes a new instance of the <see cref="CorrelatingBasicConsumer"/> class.</summary>
    /// <param name="channel">The channel the consumer is registered on.</param>
    /// <param name="propagator">The propagator, or <see langword="null"/> for <see cref="CorrelationPropagator.Default"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="channel"/> is <see langword="null"/>.</exception>
    public CorrelatingBasicConsumer(IChannel channel, CorrelationPropagator? propagator = null)
        : base(channel ?? throw new ArgumentNullException(nameof(channel)))
    {
        _propagator = propagator ?? CorrelationPropagator.Default;
    }

    /// <summary>
    /// Gets or sets a value indicating whether a delivery whose correlation ID the policy rejects is rejected with
    /// <c>basic.reject</c> (no requeue). Set it to <see langword="false"/> when consuming with <c>autoAck: true</c>.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool RejectDeliveriesWithRejectedIds { get; set; } = true;

    /// <inheritdoc />
    public override async Task HandleBasicDeliverAsync(
        string consumerTag,
        ulong deliveryTag,
        bool redelivered,
        string exchange,
        string routingKey,
        IReadOnlyBasicProperties properties,
        ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(properties);

        ExtractedCorrelation extracted;
        try
        {
            extracted = _propagator.Extract(properties, AmqpCarrier.PropertiesGetter, AmqpCarrier.NativeCorrelationId(properties));
        }
        catch (CorrelationIdRejectedException)
        {
            if (RejectDeliveriesWithRejectedIds)
            {
                // Log first: once rejected, the delivery may be on the dead-letter queue before this method returns.
                Log.DeliveryRejected(_propagator.Logger, deliveryTag, consumerTag);
                await Channel.BasicRejectAsync(deliveryTag, requeue: false, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                Log.DeliverySkipped(_propagator.Logger, deliveryTag, consumerTag);
            }

            return;
        }

        // A delivery without message_id still gets a message ID for its handling, so what it causes can name its cause.
        var messageId = AmqpCarrier.MessageId(properties) ?? AmqpCarrier.NewMessageId();
        var propagate = _propagator.Options.PropagateTraceContext;
        var trace = propagate ? TraceContextPropagation.Extract(properties, AmqpCarrier.PropertiesGetter) : default;
        var previousActivity = Activity.Current;
        var activity = propagate ? RabbitMqTelemetry.StartProcess(exchange, routingKey, messageId, trace) : null;
        var destination = string.IsNullOrEmpty(exchange) ? routingKey : exchange;
        using var scope = TracedConsumeScope.Begin(_propagator, extracted, messageId, trace, activity, previousActivity, "rabbitmq", destination);
        try
        {
            await base.HandleBasicDeliverAsync(consumerTag, deliveryTag, redelivered, exchange, routingKey, properties, body, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (FlowDiagnostics.Faulted(scope, ex))
        {
            throw; // Never reached: the filter only records the outcome for a flow recorder.
        }
    }
}
