namespace Correlation.Messaging.Sqs.Client;

/// <summary>One failed entry of a batch operation.</summary>
public sealed class BatchResultErrorEntry
{
    /// <summary>Gets or sets the entry ID from the request.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Id { get; set; }

    /// <summary>Gets or sets a value indicating whether the caller caused the failure.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool SenderFault { get; set; }

    /// <summary>Gets or sets the error code.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Code { get; set; }

    /// <summary>Gets or sets the error message.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Message { get; set; }
}
