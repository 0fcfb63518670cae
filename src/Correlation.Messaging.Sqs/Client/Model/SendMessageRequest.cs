namespace Correlation.Messaging.Sqs.Client;

/// <summary>The input of <c>SendMessage</c>.</summary>
/// <remarks>Mirrors <c>Amazon.SQS.Model.SendMessageRequest</c>.</remarks>
public sealed class SendMessageRequest
{
    /// <summary>Gets or sets the queue URL.</summary>
    /// <value>The default is <see langword="null"/>; required.</value>
    public string? QueueUrl { get; set; }

    /// <summary>Gets or sets the body.</summary>
    /// <value>The default is <see langword="null"/>; required.</value>
    public string? MessageBody { get; set; }

    /// <summary>Gets or sets the delivery delay in seconds (not supported per message on FIFO queues).</summary>
    /// <value>The default is <see langword="null"/>: the queue's default.</value>
    public int? DelaySeconds { get; set; }

#pragma warning disable CA2227 // Collection properties should be read only: this is a wire model.
    /// <summary>Gets or sets the message attributes (at most 10, counting the correlation attributes).</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public Dictionary<string, MessageAttributeValue>? MessageAttributes { get; set; }

    /// <summary>Gets or sets the message system attributes (<c>AWSTraceHeader</c>).</summary>
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
