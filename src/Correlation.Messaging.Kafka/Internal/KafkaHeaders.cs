using System.Globalization;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Propagation.Internal;

namespace Correlation.Messaging.Kafka.Internal;

/// <summary>
/// The Kafka carrier: Confluent <see cref="Headers"/> read and written through static delegates, so that the header
/// rules stay in <see cref="CorrelationPropagator"/> and no delegate or closure is allocated per message.
/// </summary>
internal static class KafkaHeaders
{
    /// <summary>Reads a header by the one lookup rule (any spelling; the exact one, else the last; duplicates flagged); a null value is <see cref="InboundHeaderValue.Null"/>.</summary>
    public static readonly CorrelationHeaderGetter<Headers?> Getter = static (headers, name) => Get(headers, name);

    /// <summary>Replaces every header of a name (case-insensitive) with one header holding the cached UTF-8 bytes.</summary>
    public static readonly CorrelationHeaderSetter<Headers> Setter = static (headers, name, value) => Set(headers, name, AsArray(value.Utf8));

    public static InboundHeaderValue Get(Headers? headers, string name)
    {
        if (headers is null)
        {
            return InboundHeaderValue.Missing;
        }

        var match = new HeaderLookup.Match<IHeader>(name);
        for (var i = 0; i < headers.Count; i++)
        {
            var header = headers[i];
            match.Consider(header.Key, header);
        }

        return match.Found ? InboundHeaderValue.FromUtf8(match.Value.GetValueBytes(), match.HadDuplicates) : InboundHeaderValue.Missing;
    }

    public static void Set(Headers headers, string name, byte[] value)
    {
        for (var i = 0; i < headers.Count; i++)
        {
            if (string.Equals(headers[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                RemoveAll(headers, name);
                break;
            }
        }

        headers.Add(name, value);
    }

    /// <summary>
    /// Returns a new <see cref="Headers"/> with the caller's headers except ours (any spelling), in order.
    /// The caller's instance is never modified; header objects are shared, their bytes are not copied.
    /// </summary>
    public static Headers CopyWithout(Headers? source, CorrelationPropagator propagator)
    {
        var copy = new Headers();
        if (source is null)
        {
            return copy;
        }

        for (var i = 0; i < source.Count; i++)
        {
            var header = source[i];
            if (!propagator.IsOwnHeaderName(header.Key))
            {
                copy.Add(header);
            }
        }

        return copy;
    }

    /// <summary>The reference used as the message ID of a record without a valid message ID header: <c>topic:partition:offset</c>.</summary>
    /// <remarks>
    /// Colons, not <c>topic/partition@offset</c>: the reference travels downstream as a causation ID, which is validated
    /// with the default allowed symbols (<c>-_.:</c>). Topic names never hold a colon, so the form parses from the right.
    /// </remarks>
    public static string OffsetReference(string topic, int partition, long offset) =>
        string.Create(CultureInfo.InvariantCulture, $"{topic}:{partition}:{offset}");

    private static byte[] AsArray(ReadOnlyMemory<byte> utf8) =>
        MemoryMarshal.TryGetArray(utf8, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : utf8.ToArray();

    public static void RemoveAll(Headers headers, string name)
    {
        // Headers.Remove is case-sensitive; remove every spelling of the name, exact spellings first.
        for (var i = headers.Count - 1; i >= 0; i--)
        {
            var key = headers[i].Key;
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                headers.Remove(key);
                i = Math.Min(i, headers.Count);
            }
        }
    }
}
