using System.Diagnostics;
using Confluent.Kafka;
using Correlation.Messaging.Kafka.Internal;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Tracing;
using Correlation.Messaging.Tracing.Internal;

namespace Correlation.Messaging.Kafka;

/// <summary>
/// Restores the correlation context of a consumed Kafka record.
/// </summary>
public static class ConsumeResultCorrelationExtensions
{
    /// <summary>
    /// Reads the correlation metadata of <paramref name="result"/> (validated, with the propagator's policies), makes it
    /// the ambient <see cref="CorrelationContext"/> and opens a logging scope with <c>correlation_id</c>,
    /// <c>causation_id</c> and <c>message_id</c>, until the returned scope is disposed.
    /// </summary>
    /// <typeparam name="TKey">The type of the message key.</typeparam>
    /// <typeparam name="TValue">The type of the message value.</typeparam>
    /// <param name="result">The consumed record.</param>
    /// <param name="propagator">The propagator whose header names and policies to apply.</param>
    /// <returns>
    /// The scope; dispose it (with <see langword="using"/>) before the next record. The context's message ID is the
    /// record's <c>X-Message-ID</c> header or, when it is absent or invalid, <c>topic:partition:offset</c>; messages
    /// produced inside the scope carry it as their causation ID.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="result"/> or <paramref name="propagator"/> is <see langword="null"/>.</exception>
    /// <exception cref="CorrelationIdRejectedException">The correlation ID is invalid or missing and the policy is to reject it.</exception>
    /// <remarks>
    /// <para>Header bytes are decoded as strict UTF-8; header names follow the one lookup rule (any spelling; the exact one, else the last occurrence, wins; duplicates are logged).</para>
    /// <para>The current <see cref="Activity"/> is tagged with <c>messaging.message.conversation_id</c> (the correlation ID) and the message and causation IDs. With
    /// <see cref="CorrelationOptions.PropagateTraceContext"/> on, the record's <c>traceparent</c>/<c>tracestate</c> are read too:
    /// a consumer span <c>&lt;topic&gt; process</c> (ActivitySource <c>Correlation.Messaging.Kafka</c>, only when a listener
    /// subscribes) is started as their child and tagged, and the inbound trace context stays ambient so that records
    /// produced in the scope carry it even when no span is recorded. Disposing the scope ends all of them.</para>
    /// </remarks>
    public static CorrelationScope BeginCorrelationScope<TKey, TValue>(this ConsumeResult<TKey, TValue> result, CorrelationPropagator propagator)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(propagator);

        var extracted = propagator.Extract(result.Message?.Headers, KafkaHeaders.Getter, readMessageIdHeader: true);
        var messageId = extracted.MessageId;
        if (messageId is null)
        {
            messageId = KafkaHeaders.OffsetReference(result.Topic, result.Partition.Value, result.Offset.Value);
            Log.MessageIdFromOffset(propagator.Logger, messageId);
        }

        var propagate = propagator.Options.PropagateTraceContext;
        var trace = propagate ? TraceContextPropagation.Extract(result.Message?.Headers, KafkaHeaders.Getter) : default;
        var previousActivity = Activity.Current;
        var activity = propagate ? KafkaTelemetry.StartProcess(result, trace) : null;
        return TracedConsumeScope.Begin(propagator, extracted, messageId, trace, activity, previousActivity, "kafka", result.Topic);
    }
}
