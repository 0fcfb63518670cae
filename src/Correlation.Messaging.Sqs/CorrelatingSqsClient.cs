using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs.Client;
using Correlation.Messaging.Sqs.Internal;
using Correlation.Messaging.Sqs.Propagation;

namespace Correlation.Messaging.Sqs;

/// <summary>
/// An <see cref="ISqsClient"/> decorator that writes correlation metadata to every message sent (single and batch),
/// and asks every receive for the correlation attributes.
/// </summary>
/// <remarks>
/// <para>Sends take the ambient context (<see cref="CorrelationContext.Current"/>), or a generated one where there is
/// none, and add its attributes to the request in place, within SQS's 10-attribute budget (see
/// <see cref="SqsCorrelationAttributes"/>). A send never fails because of correlation metadata.</para>
/// <para>Receives add the correlation attribute names to <see cref="ReceiveMessageRequest.MessageAttributeNames"/>
/// (on a copy of the request), so the returned messages may carry attributes the caller did not name.</para>
/// <para>With <see cref="CorrelationOptions.PropagateTraceContext"/> on, sends also carry the W3C trace context, and a
/// producer span <c>&lt;queue&gt; send</c> is started (for the whole call) when a listener subscribes to
/// <c>Correlation.Messaging.Sqs</c>.</para>
/// </remarks>
public sealed class CorrelatingSqsClient : ISqsClient
{
    private readonly ISqsClient _inner;
    private readonly CorrelationPropagator _propagator;
    private readonly bool _propagateTraceContext;

    /// <summary>Initializes a new instance of the <see cref="CorrelatingSqsClient"/> class.</summary>
    /// <param name="inner">The client that performs the calls.</param>
    /// <param name="propagator">The propagator whose header names, validation and policies apply.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> or <paramref name="propagator"/> is <see langword="null"/>.</exception>
    public CorrelatingSqsClient(ISqsClient inner, CorrelationPropagator propagator)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _propagator = propagator ?? throw new ArgumentNullException(nameof(propagator));
        _propagateTraceContext = propagator.Options.PropagateTraceContext;
    }

    /// <summary>Gets the propagator.</summary>
    public CorrelationPropagator Propagator => _propagator;

    /// <inheritdoc />
    public Task<SendMessageResponse> SendMessageAsync(SendMessageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_propagateTraceContext && SqsTelemetry.Source.HasListeners())
        {
            return SendTracedAsync(request, cancellationToken);
        }

        var context = _propagator.GetOutgoingContext();
        SqsCorrelationAttributes.Inject(_propagator, context, request.MessageAttributes ??= [], request.MessageBody);
        return _inner.SendMessageAsync(request, cancellationToken);
    }

    /// <inheritdoc />
    public Task<SendMessageBatchResponse> SendMessageBatchAsync(SendMessageBatchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_propagateTraceContext && SqsTelemetry.Source.HasListeners())
        {
            return SendBatchTracedAsync(request, cancellationToken);
        }

        InjectBatch(request);
        return _inner.SendMessageBatchAsync(request, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ReceiveMessageResponse> ReceiveMessageAsync(ReceiveMessageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var names = SqsCorrelationAttributes.AddAttributeNamesToReceive(_propagator, request.MessageAttributeNames);
        return _inner.ReceiveMessageAsync(request.WithMessageAttributeNames(names), cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteMessageAsync(string queueUrl, string receiptHandle, CancellationToken cancellationToken = default) =>
        _inner.DeleteMessageAsync(queueUrl, receiptHandle, cancellationToken);

    /// <inheritdoc />
    public Task<DeleteMessageBatchResponse> DeleteMessageBatchAsync(string queueUrl, IEnumerable<DeleteMessageBatchRequestEntry> entries, CancellationToken cancellationToken = default) =>
        _inner.DeleteMessageBatchAsync(queueUrl, entries, cancellationToken);

    /// <inheritdoc />
    public Task ChangeMessageVisibilityAsync(string queueUrl, string receiptHandle, int visibilityTimeoutSeconds, CancellationToken cancellationToken = default) =>
        _inner.ChangeMessageVisibilityAsync(queueUrl, receiptHandle, visibilityTimeoutSeconds, cancellationToken);

    /// <inheritdoc />
    public Task<string> GetQueueUrlAsync(string queueName, CancellationToken cancellationToken = default) =>
        _inner.GetQueueUrlAsync(queueName, cancellationToken);

    /// <inheritdoc />
    public Task<string> CreateQueueAsync(string queueName, IDictionary<string, string>? attributes = null, CancellationToken cancellationToken = default) =>
        _inner.CreateQueueAsync(queueName, attributes, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, string>> GetQueueAttributesAsync(string queueUrl, IEnumerable<string> attributeNames, CancellationToken cancellationToken = default) =>
        _inner.GetQueueAttributesAsync(queueUrl, attributeNames, cancellationToken);

    /// <inheritdoc />
    public Task SetQueueAttributesAsync(string queueUrl, IDictionary<string, string> attributes, CancellationToken cancellationToken = default) =>
        _inner.SetQueueAttributesAsync(queueUrl, attributes, cancellationToken);

    private void InjectBatch(SendMessageBatchRequest request)
    {
        var context = _propagator.GetOutgoingContext();
        foreach (var entry in request.Entries)
        {
            SqsCorrelationAttributes.Inject(_propagator, context, entry.MessageAttributes ??= [], entry.MessageBody);
        }
    }

    // Async methods, so that the producer span is current only inside the call and never leaks into the caller's flow.
    private async Task<SendMessageResponse> SendTracedAsync(SendMessageRequest request, CancellationToken cancellationToken)
    {
        using var activity = SqsTelemetry.StartSend(request.QueueUrl);
        var context = _propagator.GetOutgoingContext();
        SqsCorrelationAttributes.Inject(_propagator, context, request.MessageAttributes ??= [], request.MessageBody);
        return await _inner.SendMessageAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SendMessageBatchResponse> SendBatchTracedAsync(SendMessageBatchRequest request, CancellationToken cancellationToken)
    {
        using var activity = SqsTelemetry.StartSend(request.QueueUrl);
        InjectBatch(request);
        return await _inner.SendMessageBatchAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
