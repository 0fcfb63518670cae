namespace Correlation.Messaging.Sqs.Client;

/// <summary>The input of <c>ReceiveMessage</c>.</summary>
public sealed class ReceiveMessageRequest
{
    /// <summary>Gets or sets the queue URL.</summary>
    /// <value>The default is <see langword="null"/>; required.</value>
    public string? QueueUrl { get; set; }

    /// <summary>Gets or sets the maximum number of messages to return (1 to 10).</summary>
    /// <value>The default is <see langword="null"/>: 1.</value>
    public int? MaxNumberOfMessages { get; set; }

    /// <summary>Gets or sets the long-poll wait time in seconds (0 to 20).</summary>
    /// <value>The default is <see langword="null"/>: the queue's default.</value>
    public int? WaitTimeSeconds { get; set; }

    /// <summary>Gets or sets the visibility timeout in seconds for the returned messages.</summary>
    /// <value>The default is <see langword="null"/>: the queue's default.</value>
    public int? VisibilityTimeout { get; set; }

#pragma warning disable CA2227 // Collection properties should be read only: this is a wire model.
    /// <summary>
    /// Gets or sets the message attribute names to return (<c>All</c>, <c>.*</c>, or names and <c>prefix.*</c> patterns).
    /// A correlating client always adds the correlation attribute names.
    /// </summary>
    /// <value>The default is <see langword="null"/>: none.</value>
    public List<string>? MessageAttributeNames { get; set; }

    /// <summary>Gets or sets the system attribute names to return (for example <c>ApproximateReceiveCount</c> or <c>All</c>).</summary>
    /// <value>The default is <see langword="null"/>: none.</value>
    public List<string>? MessageSystemAttributeNames { get; set; }

    /// <summary>
    /// Gets or sets the system attribute names under their legacy member name <c>AttributeNames</c>, which SQS still
    /// accepts and which some emulators read instead of <see cref="MessageSystemAttributeNames"/>.
    /// </summary>
    /// <value>The default is <see langword="null"/>: none.</value>
    public List<string>? AttributeNames { get; set; }
#pragma warning restore CA2227

    /// <summary>Gets or sets the FIFO receive request attempt ID.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? ReceiveRequestAttemptId { get; set; }

    internal ReceiveMessageRequest WithMessageAttributeNames(List<string>? names) => new()
    {
        QueueUrl = QueueUrl,
        MaxNumberOfMessages = MaxNumberOfMessages,
        WaitTimeSeconds = WaitTimeSeconds,
        VisibilityTimeout = VisibilityTimeout,
        MessageAttributeNames = names,
        MessageSystemAttributeNames = MessageSystemAttributeNames,
        AttributeNames = AttributeNames,
        ReceiveRequestAttemptId = ReceiveRequestAttemptId,
    };
}
