using System.Diagnostics;
using Amazon.SQS.Model;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs.Internal;
using Correlation.Messaging.Sqs.Propagation.Internal;
using Correlation.Messaging.Tracing;
using Correlation.Messaging.Tracing.Internal;

namespace Correlation.Messaging.Sqs.Propagation;

/// <summary>
/// Maps a <see cref="CorrelationContext"/> to and from the AWS SDK's SQS message attributes
/// (<see cref="Dictionary{TKey,TValue}"/> of <see cref="MessageAttributeValue"/>), within SQS's limits of 10
/// attributes per message and the queue's maximum message size. The pipeline handler that
/// <c>AddSqs()</c> or <see cref="AmazonSqsCorrelationExtensions.UseCorrelation"/> installs calls it on every send;
/// call it directly only to write or read attributes by hand.
/// </summary>
/// <remarks>
/// <para>Header names, read precedence, validation and policies come from the <see cref="CorrelationPropagator"/>.</para>
/// <para>The attribute budget, on send:</para>
/// <list type="number">
/// <item>When the caller's own attributes leave room, each field gets its own <c>String</c> attribute
/// (<c>X-Correlation-ID</c>, and <c>X-Causation-ID</c> when sending while handling a message).</item>
/// <item>When they leave exactly one slot, all fields go into the single attribute <see cref="PackedAttributeName"/>
/// as a JSON object, for example <c>{"X-Correlation-ID":"…","X-Causation-ID":"…"}</c>.</item>
/// <item>When they leave none (or the message would exceed the size limit), nothing is written, the caller's
/// attributes are left alone, a warning is logged, <c>correlation.propagation.degraded</c> is counted, and the
/// message is still sent.</item>
/// </list>
/// <para>With <see cref="CorrelationOptions.PropagateTraceContext"/> on, the W3C trace context is two more fields,
/// <c>traceparent</c> and (when there is one) <c>tracestate</c>: separate <c>String</c> attributes when every field
/// fits, otherwise members of the packed attribute. Only when even the packed attribute does not fit the size limit is
/// the trace context dropped, so that the correlation fields still travel. Reading looks in both places.</para>
/// </remarks>
public static class SqsCorrelationAttributes
{
    /// <summary>The most message attributes SQS accepts on one message.</summary>
    public const int MaxMessageAttributes = 10;

    /// <summary>
    /// The message size limit assumed when a queue's own <c>MaximumMessageSize</c> cannot be read: 256 KiB, the
    /// historical SQS maximum, which every queue accepts unless it was configured smaller.
    /// </summary>
    public const int DefaultMaxMessageSize = 262_144;

    /// <summary>The largest total SQS accepts for one <c>SendMessageBatch</c>, all entries together: 1 MiB.</summary>
    public const int MaxBatchSize = 1_048_576;

    /// <summary>The single attribute that holds every correlation field, as a JSON object, when attribute slots run short.</summary>
    public const string PackedAttributeName = "X-Correlation-Context";

    /// <summary>
    /// Writes the correlation metadata of <paramref name="context"/> to an outgoing message's attributes, within the
    /// attribute budget and <paramref name="maxMessageSize"/>.
    /// </summary>
    /// <param name="propagator">The propagator whose header names apply.</param>
    /// <param name="context">The context to write, usually <see cref="CorrelationPropagator.GetOutgoingContext"/>.</param>
    /// <param name="attributes">The message's attributes; correlation attributes are added or replaced in place.</param>
    /// <param name="messageBody">The message body, to respect the size limit, or <see langword="null"/>.</param>
    /// <param name="maxMessageSize">The queue's <c>MaximumMessageSize</c>, in bytes.</param>
    /// <returns>How the metadata was written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="propagator"/>, <paramref name="context"/> or <paramref name="attributes"/> is <see langword="null"/>.</exception>
    public static SqsAttributeWriteOutcome Inject(
        CorrelationPropagator propagator,
        CorrelationContext context,
        Dictionary<string, MessageAttributeValue> attributes,
        string? messageBody = null,
        int maxMessageSize = DefaultMaxMessageSize)
    {
        ArgumentNullException.ThrowIfNull(propagator);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(attributes);
        return OutboundAttributes.Write(propagator, SqsAttributeNames.For(propagator), context, attributes, messageBody, maxMessageSize);
    }

    /// <summary>
    /// Reads correlation metadata from a received message's attributes (separate attributes, or the packed one) and
    /// applies the propagator's validation and policies.
    /// </summary>
    /// <param name="propagator">The propagator.</param>
    /// <param name="attributes">The message's attributes, or <see langword="null"/> when it has none.</param>
    /// <returns>The correlation ID to use, with its source.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="propagator"/> is <see langword="null"/>.</exception>
    /// <exception cref="CorrelationIdRejectedException">The value is invalid or missing and the policy is to reject it.</exception>
    /// <remarks>
    /// Names match exactly first, then ignoring case. A <c>Number</c> or <c>Binary</c> attribute is a wrong type, never a correlation ID.
    /// </remarks>
    public static ExtractedCorrelation Extract(CorrelationPropagator propagator, IReadOnlyDictionary<string, MessageAttributeValue>? attributes)
    {
        ArgumentNullException.ThrowIfNull(propagator);
        return propagator.Extract(new InboundAttributes(attributes, propagator), InboundAttributes.Get);
    }

    /// <summary>
    /// Gets the message attribute names a receive must ask for so that correlation can be restored: the correlation
    /// and causation names, <see cref="PackedAttributeName"/>, the trace context names when it travels, and the
    /// propagator's read aliases that are legal SQS names.
    /// </summary>
    /// <param name="propagator">The propagator.</param>
    /// <returns>The names.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="propagator"/> is <see langword="null"/>.</exception>
    public static IReadOnlyList<string> GetAttributeNamesToReceive(CorrelationPropagator propagator)
    {
        ArgumentNullException.ThrowIfNull(propagator);
        return SqsAttributeNames.For(propagator).ReceiveNames;
    }

    /// <summary>
    /// Reads correlation metadata and makes it ambient for handling the message <paramref name="messageId"/>, with a
    /// logging scope and, when the trace context travels, a consumer span.
    /// </summary>
    internal static CorrelationScope BeginConsumeScope(
        CorrelationPropagator propagator,
        IReadOnlyDictionary<string, MessageAttributeValue>? attributes,
        string? messageId,
        string? queueName)
    {
        ArgumentNullException.ThrowIfNull(propagator);
        var carrier = new InboundAttributes(attributes, propagator);
        var extracted = propagator.Extract(carrier, InboundAttributes.Get);
        var tracing = SqsAttributeNames.For(propagator).PropagateTraceContext;
        var trace = tracing ? TraceContextPropagation.Extract(carrier, InboundAttributes.Get) : default;
        var previousActivity = Activity.Current;
        var activity = tracing ? SqsTelemetry.StartProcess(queueName, messageId, trace.ActivityContext) : null;
        return TracedConsumeScope.Begin(propagator, extracted, messageId, trace, activity, previousActivity, "aws_sqs", queueName ?? "sqs");
    }
}
