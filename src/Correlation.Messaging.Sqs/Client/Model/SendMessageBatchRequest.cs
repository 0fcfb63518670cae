namespace Correlation.Messaging.Sqs.Client;

/// <summary>The input of <c>SendMessageBatch</c> (at most 10 entries).</summary>
public sealed class SendMessageBatchRequest
{
    /// <summary>Gets or sets the queue URL.</summary>
    /// <value>The default is <see langword="null"/>; required.</value>
    public string? QueueUrl { get; set; }

    /// <summary>Gets or sets the entries.</summary>
    /// <value>The default is an empty list.</value>
#pragma warning disable CA2227 // Collection properties should be read only: this is a wire model.
    public List<SendMessageBatchRequestEntry> Entries { get; set; } = [];
#pragma warning restore CA2227
}
