using System.Buffers;
using System.Text;
using System.Text.Json;
using Amazon.SQS.Model;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Propagation.Internal;
using Correlation.Messaging.Sqs.Internal;
using Correlation.Messaging.Tracing;
using Correlation.Messaging.Validation;
using CorrelationMetrics = Correlation.Messaging.Logging.CorrelationMetrics;

namespace Correlation.Messaging.Sqs.Propagation.Internal;

/// <summary>
/// The write side of <see cref="SqsCorrelationAttributes"/>: which context an outgoing message carries, and how its
/// fields fit the attribute budget and the size limit. <see cref="InboundAttributes"/> is the read side.
/// </summary>
internal static class OutboundAttributes
{
    private const string StringType = "String";

    /// <summary>
    /// Returns the context an outgoing message carries. SQS judges every message (every batch entry) on its own: one that
    /// already carries a valid <c>X-Correlation-ID</c> (any spelling) keeps it, with its valid causation ID, even inside
    /// a scope, so that an outbox relay or a batch built from several flows never merges flows; the others get the
    /// ambient context, or, with nothing ambient, a new ID each (Core's outgoing rule).
    /// </summary>
    public static CorrelationContext ContextFor(CorrelationPropagator propagator, SqsAttributeNames names, Dictionary<string, MessageAttributeValue>? attributes)
    {
        var ambient = CorrelationContext.Current;
        if (ambient is null)
        {
            return propagator.GetOutgoingContext(new InboundAttributes(attributes, propagator, logProblems: false), InboundAttributes.Get);
        }

        if (attributes is { Count: > 0 } && TryGetExisting(propagator, names, attributes, out var existing, out var existingCausation)
            && !string.Equals(ambient.CorrelationId, existing, StringComparison.Ordinal))
        {
            Log.ExistingCorrelationIdKeptInScope(propagator.Logger, existing, ambient.CorrelationId);
            var flow = propagator.ExistingFlow(new InboundAttributes(attributes, propagator, logProblems: false), InboundAttributes.Get);
            return new CorrelationContext(existing, null, existingCausation, CorrelationIdSource.Inbound, flow);
        }

        return ambient;
    }

    /// <summary>Writes the fields, with the trace context when it travels, within the budget; logs and counts a skip.</summary>
    public static SqsAttributeWriteOutcome Write(
        CorrelationPropagator propagator,
        SqsAttributeNames names,
        CorrelationContext context,
        IDictionary<string, MessageAttributeValue> attributes,
        string? messageBody,
        long maxMessageSize)
    {
        CorrelationSpanAttributes.Tag(System.Diagnostics.Activity.Current, propagator.Options, context.CorrelationId, causationId: context.MessageId);
        if (names.PropagateTraceContext && TraceContextPropagation.TryGetOutgoing(out var traceParent, out var traceState))
        {
            var outcome = TryWrite(propagator, names, context, attributes, messageBody, maxMessageSize, traceParent, traceState);
            if (outcome is not SqsAttributeWriteOutcome.Skipped)
            {
                return outcome;
            }
        }

        // Without the trace context (none to write, or even packed it did not fit the size limit).
        var written = TryWrite(propagator, names, context, attributes, messageBody, maxMessageSize, null, null);
        return written is SqsAttributeWriteOutcome.Skipped ? Skip(propagator, attributes, names, messageBody, maxMessageSize) : written;
    }

    /// <summary>Gets the size SQS counts for a message: body and every attribute's name, type and value, in bytes.</summary>
    public static long MessageSize(string? body, IDictionary<string, MessageAttributeValue>? attributes)
    {
        long size = body is null ? 0 : Encoding.UTF8.GetByteCount(body);
        if (attributes is not null)
        {
            foreach (var (name, value) in attributes)
            {
                size += AttributeSize(name, value);
            }
        }

        return size;
    }

    /// <summary>Gets a cheap upper bound of <see cref="MessageSize"/> (a UTF-16 char is at most 3 UTF-8 bytes).</summary>
    public static long MessageSizeUpperBound(string? body, IDictionary<string, MessageAttributeValue>? attributes)
    {
        long size = (long)(body?.Length ?? 0) * 3;
        if (attributes is not null)
        {
            foreach (var (name, value) in attributes)
            {
                size += (name.Length + (value?.DataType?.Length ?? 0) + (value?.StringValue?.Length ?? 0)) * 3L + (value?.BinaryValue?.Length ?? 0);
            }
        }

        return size;
    }

    private static long AttributeSize(string name, MessageAttributeValue? value) =>
        Encoding.UTF8.GetByteCount(name)
        + (value?.DataType is { } type ? Encoding.UTF8.GetByteCount(type) : 0)
        + (value is null ? 0 : value.BinaryValue?.Length ?? (value.StringValue is null ? 0 : Encoding.UTF8.GetByteCount(value.StringValue)));

    private static bool TryGetExisting(
        CorrelationPropagator propagator,
        SqsAttributeNames names,
        Dictionary<string, MessageAttributeValue> attributes,
        out string id,
        out string? causation)
    {
        id = null!;
        causation = null;
        var carrier = new InboundAttributes(attributes, propagator, logProblems: false);
        var value = InboundAttributes.Get(carrier, names.HeaderName);
        if (value.Kind != InboundHeaderValueKind.Text || names.Validator.Validate(value.Text, trust: false) != CorrelationIdProblem.None)
        {
            return false;
        }

        id = value.Text!;
        var cause = InboundAttributes.Get(carrier, names.CausationHeaderName);
        if (cause.Kind == InboundHeaderValueKind.Text && CorrelationIdValidator.ValidateMessageId(cause.Text) == CorrelationIdProblem.None)
        {
            causation = cause.Text;
        }

        return true;
    }

    /// <summary>Writes every field as its own attribute, or all of them packed; returns <see cref="SqsAttributeWriteOutcome.Skipped"/> (having written nothing) when neither fits.</summary>
    private static SqsAttributeWriteOutcome TryWrite(
        CorrelationPropagator propagator,
        SqsAttributeNames names,
        CorrelationContext context,
        IDictionary<string, MessageAttributeValue> attributes,
        string? messageBody,
        long maxMessageSize,
        string? traceParent,
        string? traceState)
    {
        // While a trace context is written, traceparent/tracestate attributes are ours to replace; otherwise they are the caller's.
        var withTrace = traceParent is not null;
        var withTraceState = withTrace && !string.IsNullOrEmpty(traceState);
        var (userCount, userSize) = MeasureUserAttributes(attributes, names, withTrace);
        var flow = propagator.FlowValue(context);
        var fieldCount = (context.MessageId is null ? 2 : 3) + (withTrace ? 1 : 0) + (withTraceState ? 1 : 0);
        long directSize = names.HeaderName.Length + StringType.Length + context.CorrelationIdUtf8.Length
            + names.FlowHeaderName.Length + StringType.Length + flow.Utf8.Length
            + (context.MessageId is null ? 0 : names.CausationHeaderName.Length + StringType.Length + context.MessageIdUtf8.Length)
            + (withTrace ? TraceContextPropagation.TraceParentHeaderName.Length + StringType.Length + traceParent!.Length : 0)
            + (withTraceState ? TraceContextPropagation.TraceStateHeaderName.Length + StringType.Length + traceState!.Length : 0);

        if (names.DirectNamesValid && userCount + fieldCount <= SqsCorrelationAttributes.MaxMessageAttributes
            && FitsSize(messageBody, userSize + directSize, maxMessageSize))
        {
            HeaderLookup.RemoveAllSpellings(attributes, SqsCorrelationAttributes.PackedAttributeName);
            HeaderLookup.RemoveAllSpellings(attributes, names.HeaderName);
            HeaderLookup.RemoveAllSpellings(attributes, names.CausationHeaderName);
            HeaderLookup.RemoveAllSpellings(attributes, names.FlowHeaderName);

            propagator.InjectCanonical(context, attributes, static (carrier, name, value) => carrier[name] = new MessageAttributeValue { DataType = StringType, StringValue = value.Text });
            if (withTrace)
            {
                attributes[TraceContextPropagation.TraceParentHeaderName] = new MessageAttributeValue { DataType = StringType, StringValue = traceParent };
                if (withTraceState)
                {
                    attributes[TraceContextPropagation.TraceStateHeaderName] = new MessageAttributeValue { DataType = StringType, StringValue = traceState };
                }
                else
                {
                    attributes.Remove(TraceContextPropagation.TraceStateHeaderName);
                }
            }

            return SqsAttributeWriteOutcome.Attributes;
        }

        if (userCount + 1 <= SqsCorrelationAttributes.MaxMessageAttributes)
        {
            var packed = Pack(propagator, context, traceParent, withTraceState ? traceState : null);
            if (FitsSize(messageBody, userSize + SqsCorrelationAttributes.PackedAttributeName.Length + StringType.Length + Encoding.UTF8.GetByteCount(packed), maxMessageSize))
            {
                HeaderLookup.RemoveAllSpellings(attributes, names.HeaderName);
                HeaderLookup.RemoveAllSpellings(attributes, names.CausationHeaderName);
                HeaderLookup.RemoveAllSpellings(attributes, names.FlowHeaderName);
                HeaderLookup.RemoveAllSpellings(attributes, SqsCorrelationAttributes.PackedAttributeName);
                if (withTrace)
                {
                    attributes.Remove(TraceContextPropagation.TraceParentHeaderName);
                    attributes.Remove(TraceContextPropagation.TraceStateHeaderName);
                }

                attributes[SqsCorrelationAttributes.PackedAttributeName] = new MessageAttributeValue { DataType = StringType, StringValue = packed };
                Log.CorrelationAttributesPacked(propagator.Logger, userCount, SqsCorrelationAttributes.PackedAttributeName);
                return SqsAttributeWriteOutcome.Packed;
            }
        }

        return SqsAttributeWriteOutcome.Skipped;
    }

    private static SqsAttributeWriteOutcome Skip(
        CorrelationPropagator propagator,
        IDictionary<string, MessageAttributeValue> attributes,
        SqsAttributeNames names,
        string? messageBody,
        long maxMessageSize)
    {
        var (userCount, userSize) = MeasureUserAttributes(attributes, names, traceIsOurs: false);
        var reason = userCount + 1 > SqsCorrelationAttributes.MaxMessageAttributes ? "attribute_limit" : "size_limit";
        Log.CorrelationAttributesSkipped(propagator.Logger, reason, userCount, userSize + (messageBody is null ? 0 : Encoding.UTF8.GetByteCount(messageBody)), maxMessageSize);
        CorrelationMetrics.Degraded.Add(1, new KeyValuePair<string, object?>("broker", "sqs"), new KeyValuePair<string, object?>("reason", reason));
        return SqsAttributeWriteOutcome.Skipped;
    }

    private static (int Count, long Size) MeasureUserAttributes(IDictionary<string, MessageAttributeValue> attributes, SqsAttributeNames names, bool traceIsOurs)
    {
        var count = 0;
        long size = 0;
        if (attributes is Dictionary<string, MessageAttributeValue> dictionary)
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

        void Add(string name, MessageAttributeValue value)
        {
            if (names.IsOurs(name) || (traceIsOurs && SqsAttributeNames.IsTraceName(name)))
            {
                return;
            }

            count++;
            size += AttributeSize(name, value);
        }
    }

    private static bool FitsSize(string? body, long attributesSize, long maxMessageSize)
    {
        if (body is null)
        {
            return attributesSize <= maxMessageSize;
        }

        // Count exactly only when the cheap bound does not settle it.
        return (long)body.Length * 3 + attributesSize <= maxMessageSize
            || Encoding.UTF8.GetByteCount(body) + attributesSize <= maxMessageSize;
    }

    private static string Pack(CorrelationPropagator propagator, CorrelationContext context, string? traceParent, string? traceState)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            propagator.InjectCanonical(context, writer, static (w, name, value) => w.WriteString(name, value.Text));
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
