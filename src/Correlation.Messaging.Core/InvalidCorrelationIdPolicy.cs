namespace Correlation.Messaging;

/// <summary>
/// What happens to an inbound correlation ID that fails validation.
/// </summary>
/// <remarks>
/// Under every policy, values with CR, LF, other control characters, format characters (such as bidi overrides),
/// invalid UTF-8, or a wrong wire type are never accepted: they would let a sender forge log lines or headers.
/// </remarks>
public enum InvalidCorrelationIdPolicy
{
    /// <summary>
    /// Generate a new ID in its place (source <see cref="CorrelationIdSource.Replaced"/>) and log a sanitized, truncated
    /// copy of the bad value. This is the default.
    /// </summary>
    Regenerate = 0,

    /// <summary>
    /// Throw <see cref="CorrelationIdRejectedException"/>. Broker adapters turn it into the broker's normal failure path
    /// (error queue, redelivery, dead-letter queue), so the message is never lost.
    /// </summary>
    Reject = 1,

    /// <summary>
    /// Accept values with characters outside the allowed set, as long as they are printable and within the maximum length.
    /// Unsafe values are still regenerated.
    /// </summary>
    Trust = 2,
}
