namespace Correlation.Messaging.Sqs.Client;

/// <summary>The output of <c>DeleteMessageBatch</c>.</summary>
#pragma warning disable CA2227 // Collection properties should be read only: this is a wire model.
public sealed class DeleteMessageBatchResponse
{
    /// <summary>Gets or sets the IDs of the entries that were deleted.</summary>
    /// <value>The default is an empty list.</value>
    public List<DeleteMessageBatchResultEntry> Successful { get; set; } = [];

    /// <summary>Gets or sets the entries that failed.</summary>
    /// <value>The default is an empty list.</value>
    public List<BatchResultErrorEntry> Failed { get; set; } = [];
}
#pragma warning restore CA2227

/// <summary>One deleted entry of a <see cref="DeleteMessageBatchResponse"/>.</summary>
public sealed class DeleteMessageBatchResultEntry
{
    /// <summary>Gets or sets the entry ID from the request.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Id { get; set; }
}
