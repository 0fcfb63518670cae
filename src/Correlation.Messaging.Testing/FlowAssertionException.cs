namespace Correlation.Messaging.Testing;

/// <summary>
/// Thrown by a <see cref="FlowRecorder"/> assertion that does not hold. The message says what was expected, what was
/// found, and shows the recorded causation tree. Every test framework reports it as a failure.
/// </summary>
public sealed class FlowAssertionException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="FlowAssertionException"/> class.</summary>
    public FlowAssertionException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="FlowAssertionException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public FlowAssertionException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="FlowAssertionException"/> class with a message and the exception that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public FlowAssertionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
