namespace Correlation.Messaging;

/// <summary>
/// The exception thrown when an inbound correlation ID is invalid or missing and the configured policy is to reject it.
/// </summary>
/// <remarks>
/// Broker adapters let this exception take the broker's normal failure path (the error queue in MassTransit,
/// no commit in Kafka, redelivery and the dead-letter queue in SQS), so a rejected message is never lost.
/// </remarks>
public sealed class CorrelationIdRejectedException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="CorrelationIdRejectedException"/> class.</summary>
    public CorrelationIdRejectedException()
        : this("The inbound correlation ID was rejected.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="CorrelationIdRejectedException"/> class.</summary>
    /// <param name="message">The message that describes the error.</param>
    public CorrelationIdRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="CorrelationIdRejectedException"/> class.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public CorrelationIdRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal CorrelationIdRejectedException(CorrelationIdProblem problem, string? headerName, string? sanitizedValue)
        : base(FormatMessage(problem, headerName, sanitizedValue))
    {
        Problem = problem;
        HeaderName = headerName;
        SanitizedValue = sanitizedValue;
    }

    /// <summary>Gets why the correlation ID was rejected.</summary>
    public CorrelationIdProblem Problem { get; }

    /// <summary>Gets the header the value was read from, or <see langword="null"/> when it was missing.</summary>
    public string? HeaderName { get; }

    /// <summary>
    /// Gets a sanitized, truncated copy of the rejected value that is safe to log (control characters escaped),
    /// or <see langword="null"/> when there was no value.
    /// </summary>
    public string? SanitizedValue { get; }

    private static string FormatMessage(CorrelationIdProblem problem, string? headerName, string? sanitizedValue) =>
        problem switch
        {
            CorrelationIdProblem.Missing => "The inbound message carries no correlation ID and the missing-ID policy is Reject.",
            CorrelationIdProblem.FlowDepthExceeded => $"The inbound flow depth in '{headerName}' is above MaxDepth (a loop?) and the depth-limit policy is Reject: \"{sanitizedValue}\".",
            CorrelationIdProblem.InvalidFlowMetadata => $"The inbound flow metadata in '{headerName}' was malformed and the invalid-ID policy is Reject: \"{sanitizedValue}\".",
            _ => $"The inbound correlation ID in '{headerName}' was rejected ({problem}): \"{sanitizedValue}\".",
        };
}
