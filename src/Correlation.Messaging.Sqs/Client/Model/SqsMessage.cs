namespace Correlation.Messaging.Sqs.Client;

/// <summary>A message returned by <c>ReceiveMessage</c>.</summary>
/// <remarks>Mirrors <c>Amazon.SQS.Model.Message</c>.</remarks>
public sealed class SqsMessage
{
    /// <summary>Gets or sets the SQS-assigned message ID; the causation ID of every message sent while handling this one.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? MessageId { get; set; }

    /// <summary>Gets or sets the receipt handle used to delete the message or change its visibility.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? ReceiptHandle { get; set; }

    /// <summary>Gets or sets the MD5 digest of the body.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? MD5OfBody { get; set; }

    /// <summary>Gets or sets the body.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    [System.Text.Json.Serialization.JsonConverter(typeof(Internal.LenientStringConverter))]
    public string? Body { get; set; }

    /// <summary>Gets or sets the system attributes that were requested (for example <c>ApproximateReceiveCount</c>).</summary>
    /// <value>The default is <see langword="null"/>.</value>
#pragma warning disable CA2227 // Collection properties should be read only: this is a wire model.
    public Dictionary<string, string>? Attributes { get; set; }

    /// <summary>Gets or sets the MD5 digest of the message attributes.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? MD5OfMessageAttributes { get; set; }

    /// <summary>Gets or sets the message attributes that were requested.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public Dictionary<string, MessageAttributeValue>? MessageAttributes { get; set; }
#pragma warning restore CA2227
}
