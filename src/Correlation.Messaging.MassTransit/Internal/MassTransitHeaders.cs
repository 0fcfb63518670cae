using Correlation.Messaging.Propagation;
using MassTransit;

namespace Correlation.Messaging.MassTransit.Internal;

/// <summary>
/// MassTransit's transport headers as a carrier, read and written through static delegates so that names, precedence
/// and validation stay in <see cref="CorrelationPropagator"/> and no delegate is allocated per message.
/// </summary>
internal static class MassTransitHeaders
{
    /// <summary>Reads a header of a received message. Text and UTF-8 bytes are candidates; any other type is a wrong type.</summary>
    public static readonly CorrelationHeaderGetter<Headers> Getter =
        static (headers, name) => headers.TryGetHeader(name, out var value) ? ToInbound(value) : InboundHeaderValue.Missing;

    /// <summary>Writes a header of an outgoing message, replacing an existing one of the same name.</summary>
    public static readonly CorrelationHeaderSetter<SendHeaders> Setter =
        static (headers, name, value) => headers.Set(name, value.Text);

    private static InboundHeaderValue ToInbound(object? value) => value switch
    {
        null => InboundHeaderValue.Null,
        string text => InboundHeaderValue.FromText(text),
        byte[] utf8 => InboundHeaderValue.FromUtf8(utf8),
        _ => InboundHeaderValue.WrongType(value.GetType().Name),
    };
}
