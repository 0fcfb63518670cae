using System.Diagnostics;
using Confluent.Kafka;
using Correlation.Messaging.Diagnostics;
using Correlation.Messaging.Kafka.Internal;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Tracing;

namespace Correlation.Messaging.Kafka.Producer.Internal;

/// <summary>
/// An <see cref="IProducer{TKey, TValue}"/> that sends a copy of each message with the correlation header, the causation
/// header (inside a consume scope) and the flow header. Everything else passes through to the inner producer.
/// No message ID header is written: a record's <c>topic:partition:offset</c> is its ID (the wire budget in
/// <c>docs/wire-format.md</c>).
/// </summary>
/// <remarks>
/// The caller's <see cref="Message{TKey, TValue}"/> and <see cref="Headers"/> are never modified: the inner producer gets
/// a new message with the same key, value and timestamp, and a new <see cref="Headers"/> holding the caller's headers
/// (ours removed) followed by ours. Delivery results and reports therefore carry the message as it was written.
/// With <see cref="CorrelationOptions.PropagateTraceContext"/> on, the copy also carries <c>traceparent</c>/<c>tracestate</c>,
/// and a producer span <c>&lt;topic&gt; publish</c> is started when a listener subscribes to <c>Correlation.Messaging.Kafka</c>
/// (until delivery for <c>ProduceAsync</c>, until the message is queued for <c>Produce</c>).
/// </remarks>
internal sealed class CorrelatingProducer<TKey, TValue> : IProducer<TKey, TValue>
{
    private readonly IProducer<TKey, TValue> _inner;
    private readonly CorrelationPropagator _propagator;
    private readonly CorrelationOptions _options;
    private readonly bool _propagateTraceContext;

    public CorrelatingProducer(IProducer<TKey, TValue> inner, CorrelationPropagator propagator)
    {
        _inner = inner;
        _propagator = propagator;
        _options = propagator.Options;
        _propagateTraceContext = _options.PropagateTraceContext;
    }

    internal IProducer<TKey, TValue> Inner => _inner;

    internal CorrelationPropagator Propagator => _propagator;

    public Handle Handle => _inner.Handle;

    public string Name => _inner.Name;

    public int AddBrokers(string brokers) => _inner.AddBrokers(brokers);

    public void SetSaslCredentials(string username, string password) => _inner.SetSaslCredentials(username, password);

    public Task<DeliveryResult<TKey, TValue>> ProduceAsync(string topic, Message<TKey, TValue> message, CancellationToken cancellationToken = default) =>
        _propagateTraceContext && KafkaTelemetry.Source.HasListeners()
            ? ProduceTracedAsync(topic, null, message, cancellationToken)
            : FlowDiagnostics.IsEnabled
                ? ProduceReportedAsync(topic, null, message, cancellationToken)
                : _inner.ProduceAsync(topic, Prepare(message), cancellationToken);

    public Task<DeliveryResult<TKey, TValue>> ProduceAsync(TopicPartition topicPartition, Message<TKey, TValue> message, CancellationToken cancellationToken = default) =>
        _propagateTraceContext && topicPartition is not null && KafkaTelemetry.Source.HasListeners()
            ? ProduceTracedAsync(topicPartition.Topic, topicPartition, message, cancellationToken)
            : FlowDiagnostics.IsEnabled && topicPartition is not null
                ? ProduceReportedAsync(topicPartition.Topic, topicPartition, message, cancellationToken)
                : _inner.ProduceAsync(topicPartition, Prepare(message), cancellationToken);

    public void Produce(string topic, Message<TKey, TValue> message, Action<DeliveryReport<TKey, TValue>>? deliveryHandler = null)
    {
        using var activity = _propagateTraceContext ? KafkaTelemetry.StartPublish(topic) : null;
        if (FlowDiagnostics.IsEnabled)
        {
            var prepared = Prepare(message, out var context);
            _inner.Produce(topic, prepared, ReportingHandler(context, deliveryHandler));
            return;
        }

        _inner.Produce(topic, Prepare(message), deliveryHandler);
    }

    public void Produce(TopicPartition topicPartition, Message<TKey, TValue> message, Action<DeliveryReport<TKey, TValue>>? deliveryHandler = null)
    {
        using var activity = _propagateTraceContext && topicPartition is not null ? KafkaTelemetry.StartPublish(topicPartition.Topic) : null;
        if (FlowDiagnostics.IsEnabled)
        {
            var prepared = Prepare(message, out var context);
            _inner.Produce(topicPartition, prepared, ReportingHandler(context, deliveryHandler));
            return;
        }

        _inner.Produce(topicPartition, Prepare(message), deliveryHandler);
    }

    public int Poll(TimeSpan timeout) => _inner.Poll(timeout);

    public int Flush(TimeSpan timeout) => _inner.Flush(timeout);

    public void Flush(CancellationToken cancellationToken = default) => _inner.Flush(cancellationToken);

    public void InitTransactions(TimeSpan timeout) => _inner.InitTransactions(timeout);

    public void BeginTransaction() => _inner.BeginTransaction();

    public void CommitTransaction(TimeSpan timeout) => _inner.CommitTransaction(timeout);

    public void CommitTransaction() => _inner.CommitTransaction();

    public void AbortTransaction(TimeSpan timeout) => _inner.AbortTransaction(timeout);

    public void AbortTransaction() => _inner.AbortTransaction();

    public void SendOffsetsToTransaction(IEnumerable<TopicPartitionOffset> offsets, IConsumerGroupMetadata groupMetadata, TimeSpan timeout) =>
        _inner.SendOffsetsToTransaction(offsets, groupMetadata, timeout);

    public void Dispose() => _inner.Dispose();

    /// <summary>Builds the message actually sent: same key, value and timestamp; the caller's headers without ours, then ours.</summary>
    internal Message<TKey, TValue> Prepare(Message<TKey, TValue> message) => Prepare(message, out _);

    /// <summary>Builds the message actually sent, and returns the correlation context it carries.</summary>
    internal Message<TKey, TValue> Prepare(Message<TKey, TValue> message, out CorrelationContext context)
    {
        ArgumentNullException.ThrowIfNull(message);

        // Outside any scope a valid ID the message already carries is kept (outbox relays); ours are then rewritten canonically.
        context = _propagator.GetOutgoingContext(message.Headers, KafkaHeaders.Getter);
        var headers = KafkaHeaders.CopyWithout(message.Headers, _propagator);
        KafkaHeaders.AppendOwn(headers, context, _propagator);

        // The producer span when one was started, otherwise the caller's activity.
        if (Activity.Current is { IsAllDataRequested: true } activity)
        {
            CorrelationSpanAttributes.Tag(activity, _options, context.CorrelationId, messageId: null, context.MessageId); // the message ID (topic:partition:offset) is known only once delivered
        }
        if (_propagateTraceContext)
        {
            TraceContextPropagation.Inject(headers, KafkaTelemetry.TraceSetter);
        }

        return new Message<TKey, TValue>
        {
            Key = message.Key,
            Value = message.Value,
            Timestamp = message.Timestamp,
            Headers = headers,
        };
    }

    /// <summary>Produces inside a producer span that ends when the delivery result arrives (an async method, so the span never leaks into the caller's flow).</summary>
    private async Task<DeliveryResult<TKey, TValue>> ProduceTracedAsync(
        string topic,
        TopicPartition? topicPartition,
        Message<TKey, TValue> message,
        CancellationToken cancellationToken)
    {
        using var activity = KafkaTelemetry.StartPublish(topic);
        try
        {
            var prepared = Prepare(message, out var context);
            var result = topicPartition is null
                ? await _inner.ProduceAsync(topic, prepared, cancellationToken).ConfigureAwait(false)
                : await _inner.ProduceAsync(topicPartition, prepared, cancellationToken).ConfigureAwait(false);
            Report(context, result.TopicPartitionOffset);
            return result;
        }
        catch (Exception ex) when (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
    }

    /// <summary>Produces and, once the record has its offset (its message ID), reports the hop to a flow recorder.</summary>
    private async Task<DeliveryResult<TKey, TValue>> ProduceReportedAsync(
        string topic,
        TopicPartition? topicPartition,
        Message<TKey, TValue> message,
        CancellationToken cancellationToken)
    {
        var prepared = Prepare(message, out var context);
        var result = topicPartition is null
            ? await _inner.ProduceAsync(topic, prepared, cancellationToken).ConfigureAwait(false)
            : await _inner.ProduceAsync(topicPartition, prepared, cancellationToken).ConfigureAwait(false);
        Report(context, result.TopicPartitionOffset);
        return result;
    }

    /// <summary>Wraps a delivery handler so that a delivered record is reported to a flow recorder (used only while one listens).</summary>
    private static Action<DeliveryReport<TKey, TValue>> ReportingHandler(CorrelationContext context, Action<DeliveryReport<TKey, TValue>>? inner)
    {
        var generated = FlowDiagnostics.IsGeneratedHere(context);
        return report =>
        {
            if (report.Error is not { IsError: true })
            {
                FlowDiagnostics.Sent(FlowHopKind.Publish, "kafka", report.Topic, report.Topic, OffsetId(report.TopicPartitionOffset), context, generated);
            }

            inner?.Invoke(report);
        };
    }

    private static void Report(CorrelationContext context, TopicPartitionOffset delivered)
    {
        if (FlowDiagnostics.IsEnabled)
        {
            FlowDiagnostics.Sent(FlowHopKind.Publish, "kafka", delivered.Topic, delivered.Topic, OffsetId(delivered), context);
        }
    }

    private static string OffsetId(TopicPartitionOffset delivered) =>
        KafkaHeaders.OffsetReference(delivered.Topic, delivered.Partition.Value, delivered.Offset.Value);
}
