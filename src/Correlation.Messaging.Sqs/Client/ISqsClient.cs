namespace Correlation.Messaging.Sqs.Client;

/// <summary>
/// The SQS operations this package needs, shaped like the matching methods of <c>Amazon.SQS.IAmazonSQS</c>.
/// </summary>
/// <remarks>
/// <see cref="SqsClient"/> implements it over the SQS JSON protocol; <see cref="CorrelatingSqsClient"/> decorates any
/// implementation with correlation propagation.
/// </remarks>
public interface ISqsClient
{
    /// <summary>Sends one message.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The SQS-assigned message ID and digests.</returns>
    /// <exception cref="SqsException">SQS returned an error.</exception>
    Task<SendMessageResponse> SendMessageAsync(SendMessageRequest request, CancellationToken cancellationToken = default);

    /// <summary>Sends up to 10 messages in one call. Entries can fail individually: inspect <see cref="SendMessageBatchResponse.Failed"/>.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The sent and failed entries.</returns>
    /// <exception cref="SqsException">SQS returned an error for the whole batch.</exception>
    Task<SendMessageBatchResponse> SendMessageBatchAsync(SendMessageBatchRequest request, CancellationToken cancellationToken = default);

    /// <summary>Receives up to 10 messages, long-polling when <see cref="ReceiveMessageRequest.WaitTimeSeconds"/> is set.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The messages.</returns>
    /// <exception cref="SqsException">SQS returned an error.</exception>
    Task<ReceiveMessageResponse> ReceiveMessageAsync(ReceiveMessageRequest request, CancellationToken cancellationToken = default);

    /// <summary>Deletes a received message.</summary>
    /// <param name="queueUrl">The queue URL.</param>
    /// <param name="receiptHandle">The receipt handle from the receive.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>A task that completes when the message is deleted.</returns>
    /// <exception cref="SqsException">SQS returned an error.</exception>
    Task DeleteMessageAsync(string queueUrl, string receiptHandle, CancellationToken cancellationToken = default);

    /// <summary>Deletes up to 10 received messages in one call.</summary>
    /// <param name="queueUrl">The queue URL.</param>
    /// <param name="entries">The entries.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The deleted and failed entries.</returns>
    /// <exception cref="SqsException">SQS returned an error for the whole batch.</exception>
    Task<DeleteMessageBatchResponse> DeleteMessageBatchAsync(string queueUrl, IEnumerable<DeleteMessageBatchRequestEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>Changes the visibility timeout of a received message (0 makes it visible again at once).</summary>
    /// <param name="queueUrl">The queue URL.</param>
    /// <param name="receiptHandle">The receipt handle from the receive.</param>
    /// <param name="visibilityTimeoutSeconds">The new timeout, in seconds from now (0 to 43,200).</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>A task that completes when the visibility has changed.</returns>
    /// <exception cref="SqsException">SQS returned an error.</exception>
    Task ChangeMessageVisibilityAsync(string queueUrl, string receiptHandle, int visibilityTimeoutSeconds, CancellationToken cancellationToken = default);

    /// <summary>Gets the URL of a queue by name.</summary>
    /// <param name="queueName">The queue name.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The queue URL.</returns>
    /// <exception cref="SqsException">SQS returned an error (<c>QueueDoesNotExist</c> when there is no such queue).</exception>
    Task<string> GetQueueUrlAsync(string queueName, CancellationToken cancellationToken = default);

    /// <summary>Creates a queue, or returns the URL of an existing queue with the same name and attributes.</summary>
    /// <param name="queueName">The queue name; FIFO queue names end in <c>.fifo</c>.</param>
    /// <param name="attributes">Queue attributes such as <c>VisibilityTimeout</c>, <c>FifoQueue</c> or <c>RedrivePolicy</c>, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The queue URL.</returns>
    /// <exception cref="SqsException">SQS returned an error.</exception>
    Task<string> CreateQueueAsync(string queueName, IDictionary<string, string>? attributes = null, CancellationToken cancellationToken = default);

    /// <summary>Gets queue attributes.</summary>
    /// <param name="queueUrl">The queue URL.</param>
    /// <param name="attributeNames">The attribute names, or <c>All</c>.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The attributes.</returns>
    /// <exception cref="SqsException">SQS returned an error.</exception>
    Task<IReadOnlyDictionary<string, string>> GetQueueAttributesAsync(string queueUrl, IEnumerable<string> attributeNames, CancellationToken cancellationToken = default);

    /// <summary>Sets queue attributes.</summary>
    /// <param name="queueUrl">The queue URL.</param>
    /// <param name="attributes">The attributes to set.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>A task that completes when the attributes are set.</returns>
    /// <exception cref="SqsException">SQS returned an error.</exception>
    Task SetQueueAttributesAsync(string queueUrl, IDictionary<string, string> attributes, CancellationToken cancellationToken = default);
}
