using Confluent.Kafka;

namespace Correlation.Messaging.Kafka;

/// <summary>
/// The exception thrown by the consume-loop helpers when a consumed record could not be processed: its correlation ID
/// was rejected by policy (<see cref="Exception.InnerException"/> is a <see cref="CorrelationIdRejectedException"/>), or
/// the handler threw (<see cref="Exception.InnerException"/> is the handler's exception).
/// </summary>
/// <typeparam name="TKey">The type of the message key.</typeparam>
/// <typeparam name="TValue">The type of the message value.</typeparam>
/// <remarks>
/// The helpers never commit or store offsets, so the record is not lost: the consume loop decides what happens to
/// <see cref="ConsumeResult"/>, for example produce it to a dead-letter topic and then store its offset, or stop
/// without committing so that the next member of the group reads it again.
/// </remarks>
public sealed class ConsumeProcessingException<TKey, TValue> : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ConsumeProcessingException{TKey, TValue}"/> class.</summary>
    public ConsumeProcessingException()
        : this("A consumed Kafka record could not be processed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ConsumeProcessingException{TKey, TValue}"/> class.</summary>
    /// <param name="message">The message that describes the error.</param>
    public ConsumeProcessingException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ConsumeProcessingException{TKey, TValue}"/> class.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public ConsumeProcessingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ConsumeProcessingException{TKey, TValue}"/> class.</summary>
    /// <param name="consumeResult">The record that could not be processed.</param>
    /// <param name="context">The correlation context the handler ran in, or <see langword="null"/> when the ID was rejected.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    /// <exception cref="ArgumentNullException"><paramref name="consumeResult"/> or <paramref name="innerException"/> is <see langword="null"/>.</exception>
    public ConsumeProcessingException(ConsumeResult<TKey, TValue> consumeResult, CorrelationContext? context, Exception innerException)
        : base(FormatMessage(consumeResult, innerException), innerException)
    {
        ConsumeResult = consumeResult;
        Context = context;
    }

    /// <summary>Gets the record that could not be processed; its offset was neither stored nor committed.</summary>
    public ConsumeResult<TKey, TValue>? ConsumeResult { get; }

    /// <summary>Gets the correlation context the handler ran in, or <see langword="null"/> when the correlation ID was rejected.</summary>
    public CorrelationContext? Context { get; }

    private static string FormatMessage(ConsumeResult<TKey, TValue> consumeResult, Exception innerException)
    {
        ArgumentNullException.ThrowIfNull(consumeResult);
        ArgumentNullException.ThrowIfNull(innerException);
        var what = innerException is CorrelationIdRejectedException ? "its correlation ID was rejected" : "the handler failed";
        return $"Kafka record {consumeResult.TopicPartitionOffset} was not processed ({what}); its offset was not committed.";
    }
}
