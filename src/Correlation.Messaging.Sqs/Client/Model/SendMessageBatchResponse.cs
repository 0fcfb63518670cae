namespace Correlation.Messaging.Sqs.Client;

/// <summary>The output of <c>SendMessageBatch</c>.</summary>
#pragma warning disable CA2227 // Collection properties should be read only: this is a wire model.
public sealed class SendMessageBatchResponse
{
    /// <summary>Gets or sets the entries that were sent.</summary>
    /// <value>The default is an empty list.</value>
    public List<SendMessageBatchResultEntry> Successful { get; set; } = [];

    /// <summary>Gets or sets the entries that failed.</summary>
    /// <value>The default is an empty list.</value>
    public List<BatchResultErrorEntry> Failed { get; set; } = [];
}
#pragma warning restore CA2227
