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
    /// <summary>The length of a message ID: a UUID in its 36-character text form.</summary>
    internal const int MessageIdLength = 36;

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

    /// <summary>Returns a new message ID: a UUIDv7 (RFC 9562, time-ordered) as 36 UTF-8 bytes, formatted without an intermediate string.</summary>
    /// <remarks>
    /// The 74 random bits come from <see cref="Random.Shared"/> rather than the operating system's cryptographic source
    /// that <see cref="Guid.CreateVersion7()"/> uses: a message ID must be unique, not unguessable, and this keeps the
    /// per-message cost in nanoseconds rather than a system call.
    /// </remarks>
    public static byte[] NewMessageId()
    {
        Span<byte> uuid = stackalloc byte[16];
        Random.Shared.NextBytes(uuid[6..]);
        var milliseconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 5; i >= 0; i--)
        {
            uuid[i] = (byte)milliseconds;
            milliseconds >>= 8;
        }

        uuid[6] = (byte)((uuid[6] & 0x0F) | 0x70); // version 7
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80); // RFC 9562 variant

        var bytes = new byte[MessageIdLength];
        new Guid(uuid, bigEndian: true).TryFormat(bytes, out _, "D");
        return bytes;
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
