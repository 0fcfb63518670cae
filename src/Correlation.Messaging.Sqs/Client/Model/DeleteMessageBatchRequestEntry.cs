namespace Correlation.Messaging.Sqs.Client;

/// <summary>One entry of a <c>DeleteMessageBatch</c> request.</summary>
public sealed class DeleteMessageBatchRequestEntry
{
    /// <summary>Gets or sets the entry ID, unique within the batch.</summary>
    /// <value>The default is <see langword="null"/>; required.</value>
    public string? Id { get; set; }

    /// <summary>Gets or sets the receipt handle of the message to delete.</summary>
    /// <value>The default is <see langword="null"/>; required.</value>
    public string? ReceiptHandle { get; set; }
}
