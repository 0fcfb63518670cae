using System.Diagnostics;
using Correlation.Messaging.Internal;

namespace Correlation.Messaging.Diagnostics;

/// <summary>
/// The flow events of every adapter, on one <see cref="DiagnosticListener"/> named <see cref="ListenerName"/>: each
/// message sent or published, each message consumed (start and stop, with the outcome) and each HTTP request in or out.
/// </summary>
/// <remarks>
/// <para>Nothing is built, allocated or timed unless a subscriber is attached (<see cref="DiagnosticListener.IsEnabled()"/>
/// is one field read). <c>Correlation.Messaging.Testing</c>'s flow recorder is such a subscriber; any other in-process
/// observer may subscribe through <see cref="DiagnosticListener.AllListeners"/> too.</para>
/// <para>Payloads are <see cref="FlowHop"/> instances; a consume or inbound request is written twice, as
/// <see cref="HopStarted"/> and (the same object, completed) <see cref="HopStopped"/>.</para>
/// </remarks>
internal static class FlowDiagnostics
{
    /// <summary>The name of the listener.</summary>
    public const string ListenerName = "Correlation.Messaging.Flow";

    /// <summary>The event of a message sent or published, or of an HTTP request made: one event per hop.</summary>
    public const string HopSent = "Correlation.Messaging.Flow.Sent";

    /// <summary>The event of a message whose handling (or an HTTP request whose processing) starts.</summary>
    public const string HopStarted = "Correlation.Messaging.Flow.Started";

    /// <summary>The event of a message whose handling (or an HTTP request whose processing) ends.</summary>
    public const string HopStopped = "Correlation.Messaging.Flow.Stopped";

    private static readonly DiagnosticListener Listener = new(ListenerName);

    /// <summary>Gets whether a subscriber listens; adapters test it before gathering what an event needs.</summary>
    public static bool IsEnabled => Listener.IsEnabled();

    /// <summary>Writes a <see cref="HopSent"/> event when a subscriber listens.</summary>
    /// <param name="kind">Send, publish or an outbound HTTP request.</param>
    /// <param name="broker">The broker (<c>kafka</c>, <c>rabbitmq</c>, <c>aws_sqs</c>, <c>masstransit</c>, <c>http</c>).</param>
    /// <param name="destination">The topic, queue, exchange or URL.</param>
    /// <param name="name">A short readable name: the message type, or the topic or queue when the type is unknown.</param>
    /// <param name="messageId">The ID of the message sent, when known.</param>
    /// <param name="context">The correlation context the message carries.</param>
    public static void Sent(FlowHopKind kind, string broker, string? destination, string? name, string? messageId, CorrelationContext context) =>
        Sent(kind, broker, destination, name, messageId, context, IsGeneratedHere(context));

    /// <summary>Writes a <see cref="HopSent"/> event when a subscriber listens, for a message reported away from its send (a delivery report).</summary>
    /// <param name="kind">Send, publish or an outbound HTTP request.</param>
    /// <param name="broker">The broker.</param>
    /// <param name="destination">The topic, queue, exchange or URL.</param>
    /// <param name="name">A short readable name.</param>
    /// <param name="messageId">The ID of the message sent, when known.</param>
    /// <param name="context">The correlation context the message carries.</param>
    /// <param name="generated">Whether the context was generated for this message (<see cref="IsGeneratedHere"/> at the send).</param>
    public static void Sent(FlowHopKind kind, string broker, string? destination, string? name, string? messageId, CorrelationContext context, bool generated)
    {
        if (Listener.IsEnabled(HopSent))
        {
            Listener.Write(HopSent, new FlowHop(kind, broker, destination, name, messageId, context.CorrelationId, context.MessageId, generated));
        }
    }

    /// <summary>Returns whether an outgoing context was generated for the message being sent: not the ambient one, and not read from the carrier.</summary>
    /// <param name="context">The outgoing context.</param>
    /// <returns><see langword="true"/> when the message starts a new flow.</returns>
    public static bool IsGeneratedHere(CorrelationContext context) =>
        context.Source != CorrelationIdSource.Inbound && !ReferenceEquals(context, AmbientCorrelation.Current);

    /// <summary>Writes a <see cref="HopStarted"/> event when a subscriber listens, and returns the hop to pass to <see cref="Stop"/>.</summary>
    /// <param name="kind">Consume or an inbound HTTP request.</param>
    /// <param name="broker">The broker.</param>
    /// <param name="destination">The topic, queue or endpoint the message was received from, or the request path.</param>
    /// <param name="name">A short readable name: the message type, or the topic or queue.</param>
    /// <param name="context">The context made ambient for the handling: its message ID is the handled message's.</param>
    /// <returns>The started hop, or <see langword="null"/> when nobody listens.</returns>
    public static FlowHop? Start(FlowHopKind kind, string broker, string? destination, string? name, CorrelationContext context)
    {
        if (!Listener.IsEnabled(HopStarted))
        {
            return null;
        }

        var generated = context.Source != CorrelationIdSource.Inbound;
        var hop = new FlowHop(kind, broker, destination, name, context.MessageId, context.CorrelationId, context.CausationId, generated);
        Listener.Write(HopStarted, hop);
        return hop;
    }

    /// <summary>Completes <paramref name="hop"/> and writes a <see cref="HopStopped"/> event; does nothing for <see langword="null"/> or a hop already stopped.</summary>
    /// <param name="hop">The hop from <see cref="Start"/>.</param>
    /// <param name="exception">The exception the handler threw, or <see langword="null"/> when it completed.</param>
    /// <param name="outcome">A readable outcome (for example an HTTP status code), or <see langword="null"/>.</param>
    /// <returns>Always <see langword="false"/>, so that it can be an exception filter that catches nothing.</returns>
    public static bool Stop(FlowHop? hop, Exception? exception = null, string? outcome = null)
    {
        if (hop is not null && hop.TryStop(exception, outcome))
        {
            Listener.Write(HopStopped, hop);
        }

        return false;
    }

    /// <summary>Marks the consume hop of <paramref name="scope"/> (opened by the adapters' one consume-scope helper) as faulted.</summary>
    /// <param name="scope">The scope of the consumed message.</param>
    /// <param name="exception">The handler's exception.</param>
    /// <returns>Always <see langword="false"/>, so that it can be an exception filter that catches nothing.</returns>
    public static bool Faulted(in CorrelationScope scope, Exception exception)
    {
        if (scope.Frame?.Resource is Tracing.Internal.TracedConsumeScope { Hop: { } hop })
        {
            hop.Fault ??= exception;
        }

        return false;
    }
}

/// <summary>The kind of a <see cref="FlowHop"/>.</summary>
internal enum FlowHopKind
{
    /// <summary>A message sent to a queue or topic.</summary>
    Send,

    /// <summary>A message published to subscribers.</summary>
    Publish,

    /// <summary>A message consumed and handled.</summary>
    Consume,

    /// <summary>An HTTP request received and processed.</summary>
    HttpIn,

    /// <summary>An HTTP request made.</summary>
    HttpOut,
}

/// <summary>The payload of a flow event: one hop of a flow, with its IDs and timestamps.</summary>
internal sealed class FlowHop(
    FlowHopKind kind,
    string broker,
    string? destination,
    string? name,
    string? messageId,
    string correlationId,
    string? causationId,
    bool generated)
{
    private int _stopped;

    public FlowHopKind Kind { get; } = kind;

    public string Broker { get; } = broker;

    public string? Destination { get; } = destination;

    public string? Name { get; } = name;

    public string? MessageId { get; } = messageId;

    public string CorrelationId { get; } = correlationId;

    public string? CausationId { get; } = causationId;

    /// <summary>Gets whether the correlation ID was generated (or replaced) at this hop: nothing valid was ambient or inbound.</summary>
    public bool Generated { get; } = generated;

    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

    public long StartedTimestamp { get; } = Stopwatch.GetTimestamp();

    public DateTimeOffset? Stopped { get; private set; }

    public Exception? Fault { get; set; }

    public string? Outcome { get; private set; }

    internal bool TryStop(Exception? exception, string? outcome)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return false;
        }

        Fault ??= exception;
        Outcome = outcome;
        Stopped = DateTimeOffset.UtcNow;
        return true;
    }
}
