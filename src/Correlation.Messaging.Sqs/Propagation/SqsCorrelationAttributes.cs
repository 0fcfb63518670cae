using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CorrelationMetrics = Correlation.Messaging.Logging.CorrelationMetrics;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs.Client;
using Correlation.Messaging.Sqs.Internal;
using Correlation.Messaging.Sqs.Propagation.Internal;
using Correlation.Messaging.Tracing;
using Correlation.Messaging.Tracing.Internal;

namespace Correlation.Messaging.Sqs.Propagation;

/// <summary>
/// Maps a <see cref="CorrelationContext"/> to and from SQS message attributes, within SQS's limits of 10 attributes
/// and 256 KiB per message. This layer knows nothing about HTTP: it works on any client's attribute dictionary
/// through an <see cref="ISqsAttributeAccessor{TValue}"/>.
/// </summary>
/// <remarks>
/// <para>Header names, read precedence, validation and policies come from the <see cref="CorrelationPropagator"/>.</para>
/// <para>The attribute budget, on send:</para>
/// <list type="number">
/// <item>When the caller's own attributes leave room, each field gets its own <c>String</c> attribute
/// (<c>X-Correlation-ID</c>, and <c>X-Causation-ID</c> when sending while handling a message).</item>
/// <item>When they leave exactly one slot, all fields go into the single attribute <see cref="PackedAttributeName"/>
/// as a JSON object, for example <c>{"X-Correlation-ID":"…","X-Causation-ID":"…"}</c>.</item>
/// <item>When they leave none (or the message would exceed <see cref="MaxMessageSize"/>), nothing is written,
/// the caller's attributes are left alone, a warning is logged, <c>correlation.propagation.degraded</c> is counted,
/// and the message is still sent.</item>
/// </list>
/// <para>With <see cref="CorrelationOptions.PropagateTraceContext"/> on, the W3C trace context is two more fields,
/// <c>traceparent</c> and (when there is one) <c>tracestate</c> (see <see cref="TraceContextPropagation.TryGetOutgoing"/>):
/// separate <c>String</c> attributes when every field fits, otherwise members of the packed attribute, as in
/// <c>{"X-Correlation-ID":"…","traceparent":"00-…-01"}</c>. Only when even the packed attribute does not fit the size
/// limit is the trace context dropped, so that the correlation fields still travel. Reading looks in both places.</para>
/// <para>Writing also tags <see cref="Activity.Current"/> with <c>correlation.id</c>.</para>
/// </remarks>
public static class SqsCorrelationAttributes
{
    /// <summary>The most message attributes SQS accepts on one message.</summary>
    public const int MaxMessageAttributes = 10;

    /// <summary>The largest message SQS accepts by default, body and attributes together: 256 KiB.</summary>
    public const int MaxMessageSize = 262_144;

    /// <summary>The single attribute that holds every correlation field, as a JSON object, when attribute slots run short.</summary>
    public const string PackedAttributeName = "X-Correlation-Context";

    private const string StringType = "String";

    /// <summary>
    /// Writes the correlation metadata of <paramref name="context"/> to an outgoing message's attributes, within the attribute budget.
    /// </summary>
    /// <typeparam name="TValue">The attribute value type.</typeparam>
    /// <typeparam name="TAccessor">The accessor of <typeparamref name="TValue"/>.</typeparam>
    /// <param name="propagator">The propagator whose header names apply.</param>
    /// <param name="context">The context to write, usually <see cref="CorrelationPropagator.GetOutgoingContext"/>.</param>
    /// <param name="attributes">The message's attributes; correlation attributes are added or replaced in place.</param>
    /// <param name="messageBody">The message body, to respect the size limit, or <see langword="null"/>.</param>
    /// <returns>How the metadata was written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="propagator"/>, <paramref name="context"/> or <paramref name="attributes"/> is <see langword="null"/>.</exception>
    public static SqsAttributeWriteOutcome Inject<TValue, TAccessor>(
        CorrelationPropagator propagator,
        CorrelationContext context,
        IDictionary<string, TValue> attributes,
        string? messageBody = null)
        where TAccessor : ISqsAttributeAccessor<TValue>
    {
        ArgumentNullException.ThrowIfNull(propagator);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(attributes);

        var names = SqsAttributeNames.For(propagator);
        TraceContextPropagation.TagCorrelationId(Activity.Current, context.CorrelationId);
        string? traceParent = null;
        string? traceState = null;
        if (names.PropagateTraceContext && TraceContextPropagation.TryGetOutgoing(out traceParent, out traceState))
        {
            var outcome = TryWrite<TValue, TAccessor>(propagator, names, context, attributes, messageBody, traceParent, traceState);
            if (outcome is not SqsAttributeWriteOutcome.Skipped)
            {
                return outcome;
            }
        }

        // Without the trace context (none to write, or even packed it did not fit the size limit).
        var written = TryWrite<TValue, TAccessor>(propagator, names, context, attributes, messageBody, null, null);
        return written is SqsAttributeWriteOutcome.Skipped ? Skip<TValue, TAccessor>(propagator, attributes, names, messageBody) : written;
    }

    /// <summary>Writes every field as its own attribute, or all of them packed; returns <see cref="SqsAttributeWriteOutcome.Skipped"/> (having written nothing) when neither fits.</summary>
    private static SqsAttributeWriteOutcome TryWrite<TValue, TAccessor>(
        CorrelationPropagator propagator,
        SqsAttributeNames names,
        CorrelationContext context,
        IDictionary<string, TValue> attributes,
        string? messageBody,
        string? traceParent,
        string? traceState)
        where TAccessor : ISqsAttributeAccessor<TValue>
    {
        // While a trace context is written, traceparent/tracestate attributes are ours to replace; otherwise they are the caller's.
        var withTrace = traceParent is not null;
        var withTraceState = withTrace && !string.IsNullOrEmpty(traceState);
        var (userCount, userSize) = MeasureUserAttributes<TValue, TAccessor>(attributes, names, withTrace);
        var fieldCount = (context.MessageId is null ? 1 : 2) + (withTrace ? 1 : 0) + (withTraceState ? 1 : 0);
        long directSize = names.HeaderName.Length + StringType.Length + context.CorrelationIdUtf8.Length
            + (context.MessageId is null ? 0 : names.CausationHeaderName.Length + StringType.Length + context.MessageIdUtf8.Length)
            + (withTrace ? TraceContextPropagation.TraceParentHeaderName.Length + StringType.Length + traceParent!.Length : 0)
            + (withTraceState ? TraceContextPropagation.TraceStateHeaderName.Length + StringType.Length + traceState!.Length : 0);

        if (names.DirectNamesValid && userCount + fieldCount <= MaxMessageAttributes
            && FitsSize(messageBody, userSize + directSize))
        {
            attributes.Remove(PackedAttributeName);
            if (context.MessageId is null)
            {
                attributes.Remove(names.CausationHeaderName);
            }

            propagator.Inject(context, attributes, static (carrier, name, value) => carrier[name] = TAccessor.CreateString(value.Text));
            if (withTrace)
            {
                attributes[TraceContextPropagation.TraceParentHeaderName] = TAccessor.CreateString(traceParent!);
                if (withTraceState)
                {
                    attributes[TraceContextPropagation.TraceStateHeaderName] = TAccessor.CreateString(traceState!);
                }
                else
                {
                    attributes.Remove(TraceContextPropagation.TraceStateHeaderName);
                }
            }

            return SqsAttributeWriteOutcome.Attributes;
        }

        if (userCount + 1 <= MaxMessageAttributes)
        {
            var packed = Pack(propagator, context, traceParent, withTraceState ? traceState : null);
            if (FitsSize(messageBody, userSize + PackedAttributeName.Length + StringType.Length + Encoding.UTF8.GetByteCount(packed)))
            {
                attributes.Remove(names.HeaderName);
                attributes.Remove(names.CausationHeaderName);
                if (withTrace)
                {
                    attributes.Remove(TraceContextPropagation.TraceParentHeaderName);
                    attributes.Remove(TraceContextPropagation.TraceStateHeaderName);
                }

                attributes[PackedAttributeName] = TAccessor.CreateString(packed);
                Log.CorrelationAttributesPacked(propagator.Logger, userCount, PackedAttributeName);
                return SqsAttributeWriteOutcome.Packed;
            }
        }

        return SqsAttributeWriteOutcome.Skipped;
    }

    private static SqsAttributeWriteOutcome Skip<TValue, TAccessor>(
        CorrelationPropagator propagator,
        IDictionary<string, TValue> attributes,
        SqsAttributeNames names,
        string? messageBody)
        where TAccessor : ISqsAttributeAccessor<TValue>
    {
        var (userCount, userSize) = MeasureUserAttributes<TValue, TAccessor>(attributes, names, traceIsOurs: false);
        var reason = userCount + 1 > MaxMessageAttributes ? "attribute_limit" : "size_limit";
        Log.CorrelationAttributesSkipped(propagator.Logger, reason, userCount, userSize + (messageBody?.Length ?? 0));
        CorrelationMetrics.Degraded.Add(1, new KeyValuePair<string, object?>("broker", "sqs"), new KeyValuePair<string, object?>("reason", reason));
        return SqsAttributeWriteOutcome.Skipped;
    }

    /// <summary>Writes correlation metadata to this package's attribute dictionary, within the attribute budget.</summary>
    /// <param name="propagator">The propagator whose header names apply.</param>
    /// <param name="context">The context to write.</param>
    /// <param name="attributes">The message's attributes; correlation attributes are added or replaced in place.</param>
    /// <param name="messageBody">The message body, to respect the size limit, or <see langword="null"/>.</param>
    /// <returns>How the metadata was written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="propagator"/>, <paramref name="context"/> or <paramref name="attributes"/> is <see langword="null"/>.</exception>
    public static SqsAttributeWriteOutcome Inject(
        CorrelationPropagator propagator,
        CorrelationContext context,
        Dictionary<string, MessageAttributeValue> attributes,
        string? messageBody = null) =>
        Inject<MessageAttributeValue, MessageAttributeValueAccessor>(propagator, context, attributes, messageBody);

    /// <summary>
    /// Reads correlation metadata from a received message's attributes (separate attributes, or the packed one) and
    /// applies the propagator's validation and policies.
    /// </summary>
    /// <typeparam name="TValue">The attribute value type.</typeparam>
    /// <typeparam name="TAccessor">The accessor of <typeparamref name="TValue"/>.</typeparam>
    /// <param name="propagator">The propagator.</param>
    /// <param name="attributes">The message's attributes, or <see langword="null"/> when it has none.</param>
    /// <returns>The correlation ID to use, with its source.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="propagator"/> is <see langword="null"/>.</exception>
    /// <exception cref="CorrelationIdRejectedException">The value is invalid or missing and the policy is to reject it.</exception>
    /// <remarks>
    /// Names match exactly first, then ignoring case. A <c>Number</c> or <c>Binary</c> attribute is a wrong type, never a correlation ID.
    /// </remarks>
    public static ExtractedCorrelation Extract<TValue, TAccessor>(CorrelationPropagator propagator, IReadOnlyDictionary<string, TValue>? attributes)
        where TAccessor : ISqsAttributeAccessor<TValue>
    {
        ArgumentNullException.ThrowIfNull(propagator);
        return propagator.Extract(new InboundAttributes<TValue, TAccessor>(attributes, propagator), InboundAttributes<TValue, TAccessor>.Get);
    }

    /// <summary>Reads correlation metadata from this package's attribute dictionary.</summary>
    /// <param name="propagator">The propagator.</param>
    /// <param name="attributes">The message's attributes, or <see langword="null"/>.</param>
    /// <returns>The correlation ID to use, with its source.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="propagator"/> is <see langword="null"/>.</exception>
    /// <exception cref="CorrelationIdRejectedException">The value is invalid or missing and the policy is to reject it.</exception>
    public static ExtractedCorrelation Extract(CorrelationPropagator propagator, IReadOnlyDictionary<string, MessageAttributeValue>? attributes) =>
        Extract<MessageAttributeValue, MessageAttributeValueAccessor>(propagator, attributes);

    /// <summary>
    /// Reads correlation metadata and makes it ambient for handling the message <paramref name="messageId"/>, with a logging scope.
    /// </summary>
    /// <typeparam name="TValue">The attribute value type.</typeparam>
    /// <typeparam name="TAccessor">The accessor of <typeparamref name="TValue"/>.</typeparam>
    /// <param name="propagator">The propagator.</param>
    /// <param name="attributes">The message's attributes, or <see langword="null"/>.</param>
    /// <param name="messageId">The SQS message ID; messages sent while the scope is open carry it as their causation ID.</param>
    /// <returns>The scope; dispose it when the message is handled.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="propagator"/> is <see langword="null"/>.</exception>
    /// <exception cref="CorrelationIdRejectedException">The value is invalid or missing and the policy is to reject it.</exception>
    /// <remarks>
    /// The current <see cref="Activity"/> is tagged with <c>correlation.id</c>. With
    /// <see cref="CorrelationOptions.PropagateTraceContext"/> on, the message's <c>traceparent</c>/<c>tracestate</c>
    /// (separate attributes or packed members) are read too: a consumer span <c>sqs process</c> (ActivitySource
    /// <c>Correlation.Messaging.Sqs</c>, only when a listener subscribes) is started as their child and tagged, and the
    /// inbound trace context stays ambient so that messages sent in the scope carry it even when no span is recorded.
    /// Disposing the scope ends all of them.
    /// </remarks>
    public static CorrelationScope BeginConsumeScope<TValue, TAccessor>(CorrelationPropagator propagator, IReadOnlyDictionary<string, TValue>? attributes, string? messageId)
        where TAccessor : ISqsAttributeAccessor<TValue> =>
        BeginConsumeScope<TValue, TAccessor>(propagator, attributes, messageId, queueName: null);

    /// <summary>The consume scope, with the queue name for the consumer span when the caller knows it.</summary>
    internal static CorrelationScope BeginConsumeScope<TValue, TAccessor>(
        CorrelationPropagator propagator,
        IReadOnlyDictionary<string, TValue>? attributes,
        string? messageId,
        string? queueName)
        where TAccessor : ISqsAttributeAccessor<TValue>
    {
        ArgumentNullException.ThrowIfNull(propagator);
        var carrier = new InboundAttributes<TValue, TAccessor>(attributes, propagator);
        var extracted = propagator.Extract(carrier, InboundAttributes<TValue, TAccessor>.Get);
        if (!SqsAttributeNames.For(propagator).PropagateTraceContext)
        {
            var scope = propagator.BeginScope(extracted, messageId);
            TraceContextPropagation.TagCorrelationId(Activity.Current, scope.Context!.CorrelationId);
            return scope;
        }

        var trace = TraceContextPropagation.Extract(carrier, InboundAttributes<TValue, TAccessor>.Get);
        var previousActivity = Activity.Current;
        var activity = SqsTelemetry.StartProcess(queueName, messageId, trace.ActivityContext);
        return TracedConsumeScope.Begin(propagator, extracted, messageId, trace, activity, previousActivity);
    }

    /// <summary>
    /// Gets the message attribute names a receive must ask for so that correlation can be restored: the correlation
    /// and causation names, <see cref="PackedAttributeName"/>, and the propagator's read aliases that are legal SQS names.
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
    /// Returns <paramref name="requested"/> with the correlation attribute names added, unless it already asks for all
    /// attributes (<c>All</c> or <c>.*</c>). The input is not modified.
    /// </summary>
    /// <param name="propagator">The propagator.</param>
    /// <param name="requested">The names the caller asked for, or <see langword="null"/>.</param>
    /// <returns>The names to send.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="propagator"/> is <see langword="null"/>.</exception>
    public static List<string> AddAttributeNamesToReceive(CorrelationPropagator propagator, IEnumerable<string>? requested)
    {
        ArgumentNullException.ThrowIfNull(propagator);
        var names = requested is null ? [] : new List<string>(requested);
        if (names.Exists(static n => n is "All" or ".*"))
        {
            return names;
        }

        foreach (var name in SqsAttributeNames.For(propagator).ReceiveNames)
        {
            if (!names.Contains(name, StringComparer.Ordinal))
            {
                names.Add(name);
            }
        }

        return names;
    }

    private static (int Count, long Size) MeasureUserAttributes<TValue, TAccessor>(IDictionary<string, TValue> attributes, SqsAttributeNames names, bool traceIsOurs)
        where TAccessor : ISqsAttributeAccessor<TValue>
    {
        var count = 0;
        long size = 0;
        if (attributes is Dictionary<string, TValue> dictionary)
        {
            foreach (var (name, value) in dictionary)
            {
                Add(name, value);
            }
        }
        else
        {
            foreach (var (name, value) in attributes)
            {
                Add(name, value);
            }
        }

        return (count, size);

        void Add(string name, TValue value)
        {
            if (names.IsOurs(name) || (traceIsOurs && SqsAttributeNames.IsTraceName(name)))
            {
                return;
            }

            count++;
            size += Encoding.UTF8.GetByteCount(name) + (TAccessor.GetDataType(value)?.Length ?? 0) + TAccessor.GetValueSize(value);
        }
    }

    private static bool FitsSize(string? body, long attributesSize)
    {
        if (body is null)
        {
            return attributesSize <= MaxMessageSize;
        }

        // A UTF-16 char is at most 3 UTF-8 bytes: count exactly only when the cheap bound does not settle it.
        return (long)body.Length * 3 + attributesSize <= MaxMessageSize
            || Encoding.UTF8.GetByteCount(body) + attributesSize <= MaxMessageSize;
    }

    private static string Pack(CorrelationPropagator propagator, CorrelationContext context, string? traceParent, string? traceState)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            propagator.Inject(context, writer, static (w, name, value) => w.WriteString(name, value.Text));
            if (traceParent is not null)
            {
                writer.WriteString(TraceContextPropagation.TraceParentHeaderName, traceParent);
                if (traceState is not null)
                {
                    writer.WriteString(TraceContextPropagation.TraceStateHeaderName, traceState);
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
