namespace Correlation.Messaging.Sqs.Client;

/// <summary>The output of <c>ReceiveMessage</c>.</summary>
public sealed class ReceiveMessageResponse
{
    /// <summary>Gets or sets the messages; empty when none arrived before the wait time ended.</summary>
    /// <value>The default is an empty list.</value>
#pragma warning disable CA2227 // Collection properties should be read only: this is a wire model.
    public List<SqsMessage> Messages { get; set; } = [];
#pragma warning restore CA2227
}
