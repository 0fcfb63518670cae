using System.Text;
using Correlation.Messaging.Flow.Internal;
using Correlation.Messaging.Internal;
using Correlation.Messaging.Logging;
using Correlation.Messaging.Validation;

namespace Correlation.Messaging;

/// <summary>
/// An immutable correlation context: the correlation ID of one business flow, the message being handled, the
/// message that caused it, and the flow's metadata (depth, origin, start time, previous flow).
/// </summary>
/// <remarks>
/// <para>
/// The ambient context flows with the current asynchronous operation (it is stored in an <see cref="AsyncLocal{T}"/>),
/// so concurrent flows never observe each other's context. Use <see cref="BeginScope(CorrelationContext)"/> or a
/// broker adapter to make a context ambient; disposing the returned scope restores the previous context exactly.
/// </para>
/// <para>
/// The correlation ID is never a message ID: one flow has one correlation ID and many message IDs.
/// </para>
/// </remarks>
public sealed class CorrelationContext
{
    private byte[]? _correlationIdUtf8;
    private byte[]? _messageIdUtf8;
    private CorrelationLogScope? _logScope;
    private OutgoingFlowValue? _outgoingFlow;

    /// <summary>
    /// Initializes a new instance of the <see cref="CorrelationContext"/> class.
    /// </summary>
    /// <param name="correlationId">The correlation ID of the flow.</param>
    /// <param name="causationId">The ID of the message that caused <paramref name="messageId"/>, or <see langword="null"/> at the edge.</param>
    /// <param name="messageId">The ID of the message being handled, or <see langword="null"/> when no message is being handled.</param>
    /// <param name="source">Where <paramref name="correlationId"/> came from.</param>
    /// <remarks>The context begins a flow here: depth 0, started now, by this service (the propagator's
    /// <see cref="CorrelationOptions.ServiceName"/> when its messages are written).</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="correlationId"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="correlationId"/> is empty, or one of the IDs contains control, format or line-separator characters
    /// (which could forge log lines or headers).
    /// </exception>
    public CorrelationContext(
        string correlationId,
        string? causationId = null,
        string? messageId = null,
        CorrelationIdSource source = CorrelationIdSource.Inbound)
        : this(correlationId, causationId, messageId, source, default)
    {
    }

    /// <summary>Initializes a context with flow metadata already validated (read from a carrier or started by a propagator).</summary>
    internal CorrelationContext(string correlationId, string? causationId, string? messageId, CorrelationIdSource source, FlowMetadata flow)
    {
        ArgumentException.ThrowIfNullOrEmpty(correlationId);
        EnsureSafe(correlationId, nameof(correlationId));
        EnsureSafe(causationId, nameof(causationId));
        EnsureSafe(messageId, nameof(messageId));

        CorrelationId = correlationId;
        CausationId = causationId;
        MessageId = messageId;
        Source = source;
        Flow = flow.IsSet ? flow : FlowMetadata.StartingNow(origin: null);
    }

    /// <summary>
    /// Gets the ambient correlation context of the current asynchronous flow, or <see langword="null"/> when there is none.
    /// </summary>
    public static CorrelationContext? Current => AmbientCorrelation.Current;

    /// <summary>Gets the correlation ID of the flow.</summary>
    public string CorrelationId { get; }

    /// <summary>
    /// Gets the ID of the message whose handling caused the message being handled (<see cref="MessageId"/>),
    /// or <see langword="null"/> at the edge of the system.
    /// </summary>
    public string? CausationId { get; }

    /// <summary>
    /// Gets the ID of the message being handled, or <see langword="null"/> when no message is being handled.
    /// Messages sent while this context is ambient carry it as their causation ID.
    /// </summary>
    public string? MessageId { get; }

    /// <summary>Gets where <see cref="CorrelationId"/> came from.</summary>
    public CorrelationIdSource Source { get; }

    /// <summary>
    /// Gets the depth of this context in its flow: 0 where the flow is handled first (an HTTP request or a message that
    /// arrived without flow metadata, a new flow), and one more on every hop. Messages sent from it carry
    /// <see cref="Depth"/> + 1.
    /// </summary>
    public int Depth => Flow.Depth;

    /// <summary>
    /// Gets the service that started the flow, as carried unchanged by every hop. For a flow started here with the
    /// public constructor it is the default service name (<c>OTEL_SERVICE_NAME</c>, else the entry assembly).
    /// </summary>
    public string Origin => Flow.Origin ?? DefaultOrigin.Value;

    /// <summary>Gets when the flow started (at its origin, by the origin's clock), carried unchanged by every hop.</summary>
    public DateTimeOffset StartedAt => DateTimeOffset.FromUnixTimeMilliseconds(Flow.StartUnixMilliseconds);

    /// <summary>
    /// Gets the correlation ID of the flow this flow was started from with <see cref="StartNewFlow"/>, or
    /// <see langword="null"/>. Every message of the flow carries it.
    /// </summary>
    public string? PreviousCorrelationId => Flow.PreviousCorrelationId;

    internal FlowMetadata Flow { get; }

    /// <summary>
    /// Gets or sets one adapter's cache of this context's encoded headers (the Kafka producer keeps its header objects
    /// here, so a flow's messages share them). Not part of the context's value; set whole, read whole (thread-safe).
    /// </summary>
    internal object? CarrierCache { get; set; }

    /// <summary>
    /// Gets the UTF-8 encoding of <see cref="CorrelationId"/>. It is computed once per context and cached, so that
    /// byte-valued headers can be written without allocating per message.
    /// </summary>
    /// <value>The cached bytes; never modify the underlying array.</value>
    public ReadOnlyMemory<byte> CorrelationIdUtf8 => _correlationIdUtf8 ??= Encoding.UTF8.GetBytes(CorrelationId);

    /// <summary>
    /// Gets the UTF-8 encoding of <see cref="MessageId"/>, cached like <see cref="CorrelationIdUtf8"/>;
    /// empty when there is no message ID.
    /// </summary>
    public ReadOnlyMemory<byte> MessageIdUtf8 =>
        MessageId is null ? ReadOnlyMemory<byte>.Empty : _messageIdUtf8 ??= Encoding.UTF8.GetBytes(MessageId);

    internal CorrelationLogScope LogScope => _logScope ??= new CorrelationLogScope(this);

    /// <summary>
    /// Makes <paramref name="context"/> the ambient context until the returned scope is disposed.
    /// </summary>
    /// <param name="context">The context to make ambient.</param>
    /// <returns>A scope that restores the previous ambient context when disposed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is <see langword="null"/>.</exception>
    /// <remarks>This overload does not open a logging scope; use <see cref="Propagation.CorrelationPropagator.BeginScope(CorrelationContext)"/> for that.</remarks>
    public static CorrelationScope BeginScope(CorrelationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return CorrelationScope.Enter(context, logScope: null);
    }

    /// <summary>
    /// Creates a context for handling a new message in the same flow: same correlation ID, with
    /// <paramref name="messageId"/> as the message being handled and the current message as its cause.
    /// </summary>
    /// <param name="messageId">The ID of the message about to be handled.</param>
    /// <returns>A new context.</returns>
    internal CorrelationContext ForMessage(string? messageId) => new(CorrelationId, MessageId, messageId, Source, Flow with { Depth = Flow.Depth + 1 });

    /// <summary>Creates a context with other IDs in the same flow, at the same depth (an adapter's own view of the message being handled).</summary>
    internal CorrelationContext With(string? causationId, string? messageId, CorrelationIdSource source) =>
        new(CorrelationId, causationId, messageId, source, Flow);

    /// <summary>
    /// Starts a new flow linked to the ambient one and makes it ambient until the returned scope is disposed: a new
    /// correlation ID, depth 0, this service as origin, now as start time, and the ambient flow's correlation ID as
    /// <see cref="PreviousCorrelationId"/>, which every message sent or published in the new flow carries.
    /// </summary>
    /// <param name="propagator">
    /// The propagator whose generator, service name and logging scope to use, or <see langword="null"/> for
    /// <see cref="Propagation.CorrelationPropagator.Default"/>.
    /// </param>
    /// <returns>A scope that restores the previous ambient context (and flow) when disposed.</returns>
    /// <remarks>
    /// For a batch that merges several flows, a saga that outlives its trigger, or a recurring job: the new flow can be
    /// searched on its own, and still leads back to the one it came from. Without an ambient flow the new flow has no
    /// previous ID. A previous ID outside the strict ID rules (trusted by policy) is not carried.
    /// </remarks>
    public static CorrelationScope StartNewFlow(Propagation.CorrelationPropagator? propagator = null)
    {
        propagator ??= Propagation.CorrelationPropagator.Default;
        return propagator.BeginScope(propagator.NewFlow(Current));
    }

    /// <summary>Returns the flow header value that messages sent from this context carry, cached per context.</summary>
    /// <param name="serviceName">The origin to write when the flow began here with no origin of its own.</param>
    internal OutgoingFlowValue OutgoingFlow(string serviceName)
    {
        var origin = Flow.Origin ?? serviceName;
        var cached = _outgoingFlow;
        if (cached is not null && ReferenceEquals(cached.Origin, origin))
        {
            return cached;
        }

        return _outgoingFlow = new OutgoingFlowValue(origin, Flow.FormatOutgoing(origin));
    }

    /// <summary>
    /// Captures the ambient flow for work that leaves the current handler (a background job, a queued item, a
    /// scheduled trigger), so that the work can run in the same flow later with <see cref="CorrelationCapsule.Restore"/>.
    /// </summary>
    /// <returns>
    /// A capsule with the ambient correlation ID, the ID of the message or request being handled (the causation of the
    /// deferred work; the ambient causation ID when no message is being handled) and the outgoing W3C <c>traceparent</c>.
    /// When nothing is ambient, <see cref="CorrelationCapsule.Empty"/>: never <see langword="null"/>, and restoring it
    /// starts a new flow with its own ID.
    /// </returns>
    public static CorrelationCapsule Capture() => CorrelationCapsule.CaptureCurrent();

    /// <inheritdoc />
    public override string ToString() => LogScope.ToString();

    private static class DefaultOrigin
    {
        public static readonly string Value = ServiceNames.Default(128, "-_.:");
    }

    private static void EnsureSafe(string? value, string paramName)
    {
        if (value is not null && !CorrelationIdValidator.IsSafe(value))
        {
            throw new ArgumentException("The value contains control, format or line-separator characters.", paramName);
        }
    }
}
