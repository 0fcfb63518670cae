using Amazon.SQS.Model;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Sqs.Propagation.Internal;

/// <summary>
/// Correlation for whole outgoing requests: one message, or a batch whose entries are judged one by one and whose
/// total stays within <see cref="SqsCorrelationAttributes.MaxBatchSize"/>.
/// </summary>
internal static class OutgoingMessages
{
    /// <summary>Returns a copy of <paramref name="attributes"/> with the correlation attributes of <paramref name="context"/> (by default the outgoing context) written.</summary>
    public static Dictionary<string, MessageAttributeValue> Single(
        CorrelationPropagator propagator,
        string? body,
        Dictionary<string, MessageAttributeValue>? attributes,
        int maxMessageSize,
        CorrelationContext? context = null)
    {
        var names = SqsAttributeNames.For(propagator);
        context ??= OutboundAttributes.ContextFor(propagator, names, attributes);
        var copy = Copy(attributes);
        OutboundAttributes.Write(propagator, names, context, copy, body, maxMessageSize);
        return copy;
    }

    /// <summary>
    /// Gives every entry a copy of its attributes with the correlation attributes written, and returns the entries'
    /// own dictionaries, to be put back after the call.
    /// </summary>
    /// <remarks>
    /// Each entry is judged alone (<see cref="OutboundAttributes.ContextFor"/>): an entry with a valid ID keeps it, the
    /// others get the ambient context, or, when nothing is ambient, a new ID each, so that entries that may come from
    /// different flows are never merged into one.
    /// </remarks>
    public static Dictionary<string, MessageAttributeValue>?[] Apply(
        CorrelationPropagator propagator,
        List<SendMessageBatchRequestEntry> entries,
        int maxMessageSize)
    {
        var names = SqsAttributeNames.For(propagator);
        var originals = new Dictionary<string, MessageAttributeValue>?[entries.Count];

        // Only a batch that might come near the total limit is measured exactly.
        long bound = 0;
        foreach (var entry in entries)
        {
            bound += entry is null ? 0 : OutboundAttributes.MessageSizeUpperBound(entry.MessageBody, entry.MessageAttributes) + 1024;
        }

        var constrained = bound > SqsCorrelationAttributes.MaxBatchSize;
        long remaining = SqsCorrelationAttributes.MaxBatchSize;
        if (constrained)
        {
            foreach (var entry in entries)
            {
                remaining -= entry is null ? 0 : OutboundAttributes.MessageSize(entry.MessageBody, entry.MessageAttributes);
            }
        }

        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry is null)
            {
                continue;
            }

            var original = entry.MessageAttributes;
            originals[i] = original;
            var context = OutboundAttributes.ContextFor(propagator, names, original);
            var copy = Copy(original);
            long allowed = maxMessageSize;
            long before = 0;
            if (constrained)
            {
                before = OutboundAttributes.MessageSize(entry.MessageBody, original);
                allowed = Math.Min(maxMessageSize, before + Math.Max(0, remaining));
            }

            OutboundAttributes.Write(propagator, names, context, copy, entry.MessageBody, allowed);
            if (constrained)
            {
                remaining -= OutboundAttributes.MessageSize(entry.MessageBody, copy) - before;
            }

            entry.MessageAttributes = copy;
        }

        return originals;
    }

    private static Dictionary<string, MessageAttributeValue> Copy(Dictionary<string, MessageAttributeValue>? attributes) =>
        attributes is null ? new Dictionary<string, MessageAttributeValue>(4, StringComparer.Ordinal) : new Dictionary<string, MessageAttributeValue>(attributes, attributes.Comparer);
}
