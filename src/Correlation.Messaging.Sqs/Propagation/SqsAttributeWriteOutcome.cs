namespace Correlation.Messaging.Sqs.Propagation;

/// <summary>
/// How <see cref="SqsCorrelationAttributes"/> wrote correlation metadata to an outgoing SQS message.
/// </summary>
public enum SqsAttributeWriteOutcome
{
    /// <summary>One <c>String</c> attribute per field (<c>X-Correlation-ID</c>, and <c>X-Causation-ID</c> when handling a message).</summary>
    Attributes = 0,

    /// <summary>
    /// The message had too many attributes of its own for one per field, so all fields went into the single
    /// attribute <see cref="SqsCorrelationAttributes.PackedAttributeName"/> as a JSON object.
    /// </summary>
    Packed = 1,

    /// <summary>
    /// No attribute slot was free (10 already used by the caller) or the message would have exceeded the size limit:
    /// nothing was written, the caller's attributes were left alone, a warning was logged and
    /// <c>correlation.propagation.degraded</c> was counted. The message is still sent.
    /// </summary>
    Skipped = 2,
}
