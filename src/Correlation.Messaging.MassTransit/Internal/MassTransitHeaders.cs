using Correlation.Messaging.Propagation;
using Correlation.Messaging.Propagation.Internal;
using MassTransit;

namespace Correlation.Messaging.MassTransit.Internal;

/// <summary>
/// MassTransit's transport headers as a carrier, read and written through static delegates so that names, precedence
/// and validation stay in <see cref="CorrelationPropagator"/> and no delegate is allocated per message.
/// </summary>
internal static class MassTransitHeaders
{
    /// <summary>
    /// Reads a header by Core's one lookup rule (any spelling; the exact one, else the last; duplicates flagged), as every
    /// other carrier does. Text and UTF-8 bytes are candidates; any other type is a wrong type.
    /// </summary>
    public static readonly CorrelationHeaderGetter<Headers> Getter =
        static (headers, name) =>
        {
            var match = HeaderLookup.Find(headers.GetAll(), name);
            return match.Found ? ToInbound(match.Value).WithDuplicates(match.HadDuplicates) : InboundHeaderValue.Missing;
        };

    /// <summary>
    /// Writes a header of an outgoing message under its canonical name. MassTransit's headers ignore case and keep the
    /// first spelling, so a variant copied from the inbound message (raw-JSON <c>CopyHeaders</c>) is removed first.
    /// </summary>
    public static readonly CorrelationHeaderSetter<SendHeaders> Setter =
        static (headers, name, value) =>
        {
            RemoveAllSpellings(headers, name);
            headers.Set(name, value.Text);
        };

    /// <summary>Removes every spelling of <paramref name="name"/> from MassTransit's send headers.</summary>
    /// <param name="headers">The send headers.</param>
    /// <param name="name">The header name.</param>
    public static void RemoveAllSpellings(SendHeaders headers, string name)
    {
        List<string>? spellings = null;
        foreach (var header in headers.GetAll())
        {
            if (HeaderLookup.IsSpellingOf(header.Key, name))
            {
                (spellings ??= []).Add(header.Key);
            }
        }

        if (spellings is not null)
        {
            foreach (var key in spellings)
            {
                headers.Set(key, (string?)null);
            }
        }
    }

    private static InboundHeaderValue ToInbound(object? value) => value switch
    {
        null => InboundHeaderValue.Null,
        string text => InboundHeaderValue.FromText(text),
        byte[] utf8 => InboundHeaderValue.FromUtf8(utf8),
        _ => InboundHeaderValue.WrongType(value.GetType().Name),
    };
}
