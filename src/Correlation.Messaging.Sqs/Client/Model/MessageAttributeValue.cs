namespace Correlation.Messaging.Sqs.Client;

/// <summary>
/// One SQS message attribute: a data type (<c>String</c>, <c>Number</c>, <c>Binary</c>, optionally with a custom
/// suffix such as <c>String.json</c>) and a value.
/// </summary>
/// <remarks>Mirrors <c>Amazon.SQS.Model.MessageAttributeValue</c>, so that code moves to the official SDK unchanged.</remarks>
public sealed class MessageAttributeValue
{
    /// <summary>Gets or sets the data type: <c>String</c>, <c>Number</c> or <c>Binary</c>, with an optional <c>.suffix</c>.</summary>
    /// <value>The default is <see langword="null"/>; SQS requires a value.</value>
    public string? DataType { get; set; }

    /// <summary>Gets or sets the value of a <c>String</c> or <c>Number</c> attribute.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    [System.Text.Json.Serialization.JsonConverter(typeof(Internal.LenientStringConverter))]
    public string? StringValue { get; set; }

    /// <summary>Gets or sets the value of a <c>Binary</c> attribute (base64 on the wire).</summary>
    /// <value>The default is <see langword="null"/>.</value>
#pragma warning disable CA1819 // Properties should not return arrays: this is a wire model.
    public byte[]? BinaryValue { get; set; }
#pragma warning restore CA1819

    /// <summary>Creates a <c>String</c> attribute.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The attribute.</returns>
    public static MessageAttributeValue FromString(string value) => new() { DataType = "String", StringValue = value };
}
