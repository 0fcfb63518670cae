namespace Correlation.Messaging.Sqs.Client;

/// <summary>One entry of a <see cref="SendMessageBatchRequest"/>.</summary>
public sealed class SendMessageBatchRequestEntry
{
    /// <summary>Gets or sets the entry ID, unique within the batch (letters, digits, <c>-</c>, <c>_</c>; up to 80).</summary>
    /// <value>The default is <see langword="null"/>; required.</value>
    public string? Id { get; set; }

    /// <summary>Gets or sets the body.</summary>
    /// <value>The default is <see langword="null"/>; required.</value>
    public string? MessageBody { get; set; }

    /// <summary>Gets or sets the delivery delay in seconds.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public int? DelaySeconds { get; set; }

#pragma warning disable CA2227 // Collection properties should be read only: this is a wire model.
    /// <summary>Gets or sets the message attributes.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public Dictionary<string, MessageAttributeValue>? MessageAttributes { get; set; }

    /// <summary>Gets or sets the message system attributes.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public Dictionary<string, MessageAttributeValue>? MessageSystemAttributes { get; set; }
#pragma warning restore CA2227

    /// <summary>Gets or sets the FIFO deduplication ID.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? MessageDeduplicationId { get; set; }

    /// <summary>Gets or sets the FIFO message group ID.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? MessageGroupId { get; set; }
}
