using Correlation.Messaging.TestSupport;

namespace Correlation.Messaging.Contracts;

/// <summary>
/// What a broker adapter offers the contract suite: a raw (foreign) producer, a consumer running through our library,
/// a way to send downstream from inside the handler, and a raw reader of the downstream queue or topic.
/// </summary>
/// <remarks>
/// One harness instance owns its own queues or topics (unique names), so harnesses never see each other's messages.
/// </remarks>
public interface IBrokerContractHarness : IAsyncDisposable
{
    /// <summary>Gets the broker's name for messages ("RabbitMQ", "Kafka", "SQS").</summary>
    string Broker { get; }

    /// <summary>Gets the captured log events of the consumer side.</summary>
    CapturingLoggerProvider Logs { get; }

    /// <summary>
    /// Starts consuming the inbound queue or topic through our library. Each message runs <paramref name="handler"/>
    /// inside the correlation scope our adapter opens.
    /// </summary>
    Task StartConsumerAsync(Func<HandlerCall, Task> handler, CancellationToken cancellationToken);

    /// <summary>
    /// Sends a message to the inbound queue or topic as a foreign producer would: with exactly these headers (or attributes,
    /// or, for <see cref="RawHeader.NativeCorrelationId"/>, the broker's native correlation property) and no help from our library.
    /// </summary>
    Task SendRawAsync(string body, IReadOnlyList<RawHeader> headers, CancellationToken cancellationToken);

    /// <summary>Reads <paramref name="count"/> messages from the downstream queue or topic with a raw client.</summary>
    Task<IReadOnlyList<ObservedMessage>> ReadDownstreamAsync(int count, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// Returns <see langword="true"/> when the message with <paramref name="body"/> reached the broker's failure path
    /// (error queue, dead-letter queue, or the exception that stops a pull loop before commit) instead of being lost.
    /// </summary>
    Task<bool> ReachedFailurePathAsync(string body, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// Gets the ambient correlation context as recorded on the consumer's own flow right after each message's handling
    /// returned, outside the adapter's scope (the pull loop's thread, or a filter outside the adapter's); one entry per
    /// message. <see langword="null"/> when the harness cannot observe that flow: the contract test then fails.
    /// </summary>
    IReadOnlyCollection<CorrelationContext?>? ContextsAfterHandler => null;
}

/// <summary>One header as a foreign producer writes it. <see cref="Value"/> is a string, byte[], int, or null.</summary>
public sealed record RawHeader(string Name, object? Value)
{
    /// <summary>The name that stands for the broker's native correlation property (AMQP <c>correlation_id</c>), where it has one.</summary>
    public const string NativeCorrelationId = ":native-correlation-id";
}

/// <summary>One handler invocation, as seen from inside the handler.</summary>
public sealed class HandlerCall
{
    public HandlerCall(string body, string? brokerMessageId, Func<string, Task> sendDownstream)
    {
        Body = body;
        BrokerMessageId = brokerMessageId;
        Context = CorrelationContext.Current;
        SendDownstreamAsync = sendDownstream;
    }

    /// <summary>Gets the message body.</summary>
    public string Body { get; }

    /// <summary>Gets the message's own ID as the adapter sees it (MassTransit MessageId, X-Message-ID or topic/partition@offset, SQS MessageId).</summary>
    public string? BrokerMessageId { get; }

    /// <summary>Gets the ambient correlation context when the handler started.</summary>
    public CorrelationContext? Context { get; }

    /// <summary>Sends a message downstream through our library, from inside the handler.</summary>
    public Func<string, Task> SendDownstreamAsync { get; }
}

/// <summary>A downstream message as a raw client reads it.</summary>
public sealed record ObservedMessage(string Body, string? CorrelationId, string? CausationId, string? MessageId);
