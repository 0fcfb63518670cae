using System.Diagnostics;
using System.Text;

namespace Correlation.Messaging.Propagation.Internal;

/// <summary>
/// The optional bridge to W3C baggage (<see cref="CorrelationOptions.BridgeBaggage"/>): the correlation ID as the
/// <c>correlation_id</c> entry of the <c>baggage</c> header, for services that speak only OpenTelemetry, and read back
/// from it when no correlation header or alias is present.
/// </summary>
/// <remarks>
/// The W3C limits hold both ways: at most <see cref="MaxEntries"/> entries and <see cref="MaxBytes"/> bytes. Inbound,
/// only that much is looked at; outbound, the entry is not added when it would break them (the header is then left out).
/// The value read is an inbound value like any other: the caller validates it and applies the policy.
/// </remarks>
internal static class BaggageBridge
{
    /// <summary>The W3C baggage header: <c>baggage</c>.</summary>
    public const string HeaderName = "baggage";

    /// <summary>The baggage key of the correlation ID: <c>correlation_id</c>, as the log field.</summary>
    public const string Key = CorrelationHeaders.CorrelationIdLogField;

    /// <summary>The name in logs for a value read from baggage.</summary>
    public const string SourceName = "baggage correlation_id";

    /// <summary>The W3C limit on entries.</summary>
    public const int MaxEntries = 64;

    /// <summary>The W3C limit on the header's size, in bytes.</summary>
    public const int MaxBytes = 8192;

    /// <summary>Returns the <c>correlation_id</c> entry of an inbound <c>baggage</c> header, percent-decoded, or missing.</summary>
    /// <param name="header">The header as read.</param>
    /// <returns>The entry's value as text (still to be validated), <see cref="InboundHeaderValue.WrongType"/> for a non-text header, or missing.</returns>
    public static InboundHeaderValue Read(in InboundHeaderValue header)
    {
        string? text;
        switch (header.Kind)
        {
            case InboundHeaderValueKind.Text:
                text = header.Text;
                break;
            case InboundHeaderValueKind.Utf8:
                var bytes = header.Utf8.Span;
                text = Encoding.UTF8.GetString(bytes[..Math.Min(bytes.Length, MaxBytes)]);
                break;
            default:
                return InboundHeaderValue.Missing;
        }

        var rest = text.AsSpan(0, Math.Min(text!.Length, MaxBytes));
        for (var entries = 0; entries < MaxEntries && !rest.IsEmpty; entries++)
        {
            var comma = rest.IndexOf(',');
            var member = comma < 0 ? rest : rest[..comma];
            rest = comma < 0 ? default : rest[(comma + 1)..];

            var semicolon = member.IndexOf(';');
            var pair = semicolon < 0 ? member : member[..semicolon];
            var equals = pair.IndexOf('=');
            if (equals <= 0 || !pair[..equals].Trim(" \t").SequenceEqual(Key))
            {
                continue;
            }

            var value = pair[(equals + 1)..].Trim(" \t").ToString();
            return InboundHeaderValue.FromText(TryUnescape(value), header.HadDuplicates);
        }

        return InboundHeaderValue.Missing;
    }

    /// <summary>
    /// Returns the outbound <c>baggage</c> header: the current activity's baggage (without a <c>correlation_id</c> entry)
    /// and the correlation ID; or <see langword="null"/> when that would break the W3C limits.
    /// </summary>
    /// <param name="correlationId">The correlation ID.</param>
    /// <returns>The header value, or <see langword="null"/>.</returns>
    public static string? Compose(string correlationId)
    {
        var builder = new StringBuilder(Key.Length + 1 + correlationId.Length);
        builder.Append(Key).Append('=').Append(Uri.EscapeDataString(correlationId));
        var entries = 1;
        if (Activity.Current is { } activity)
        {
            foreach (var (key, value) in activity.Baggage)
            {
                if (string.Equals(key, Key, StringComparison.Ordinal) || string.IsNullOrEmpty(key))
                {
                    continue;
                }

                if (++entries > MaxEntries)
                {
                    return null;
                }

                builder.Append(',').Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(value ?? string.Empty));
            }
        }

        var composed = builder.ToString();
        return Encoding.UTF8.GetByteCount(composed) <= MaxBytes ? composed : null;
    }

    // A malformed escape stays as it is, and a decoded control character is rejected by validation: the policy applies.
    private static string TryUnescape(string value) => value.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(value) : value;
}
