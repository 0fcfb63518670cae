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
    /// Appends our headers for <paramref name="context"/> to <paramref name="headers"/> (which holds none of ours). For the
    /// ambient context, reused by every record produced in its flow, the header objects are built once and kept on the
    /// context, so a record costs no header allocation; another context (a generated one) is written directly.
    /// </summary>
    public static void AppendOwn(Headers headers, CorrelationContext context, CorrelationPropagator propagator)
    {
        if (!ReferenceEquals(context, CorrelationContext.Current))
        {
            propagator.Inject(context, headers, Setter);
            return;
        }

        if (context.CarrierCache is not CachedHeaders cached || !ReferenceEquals(cached.Propagator, propagator))
        {
            var built = new Headers();
            propagator.Inject(context, built, Setter);
            var own = new IHeader[built.Count];
            for (var i = 0; i < own.Length; i++)
            {
                own[i] = built[i];
            }

            context.CarrierCache = cached = new CachedHeaders(propagator, own);
        }

        foreach (var header in cached.Headers)
        {
            headers.Add(header);
        }
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

    /// <summary>The header objects of one context for one propagator (header names and service name are the propagator's).</summary>
    private sealed class CachedHeaders(CorrelationPropagator propagator, IHeader[] headers)
    {
        public CorrelationPropagator Propagator { get; } = propagator;

        public IHeader[] Headers { get; } = headers;
    }

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
