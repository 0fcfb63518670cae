namespace Correlation.Messaging.Sqs.Client;

/// <summary>One sent entry of a <see cref="SendMessageBatchResponse"/>.</summary>
public sealed class SendMessageBatchResultEntry
{
    /// <summary>Gets or sets the entry ID from the request.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Id { get; set; }

    /// <summary>Gets or sets the SQS-assigned message ID.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? MessageId { get; set; }

    /// <summary>Gets or sets the MD5 digest of the body.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? MD5OfMessageBody { get; set; }

    /// <summary>Gets or sets the MD5 digest of the message attributes.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? MD5OfMessageAttributes { get; set; }

    /// <summary>Gets or sets the FIFO sequence number.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? SequenceNumber { get; set; }
}
