using System.Text;
using Correlation.Messaging.Flow.Internal;

namespace Correlation.Messaging.Propagation;

/// <summary>
/// A header value to write to an outbound carrier, available both as text and as cached UTF-8 bytes.
/// </summary>
/// <remarks>
/// Reading <see cref="Utf8"/> does not allocate after the first time for a given context, so byte-valued carriers
/// (Kafka headers) can be written without a per-message allocation.
/// </remarks>
public readonly struct OutboundHeaderValue
{
    private readonly CorrelationContext? _context;
    private readonly OutgoingFlowValue? _flow;
    private readonly bool _isMessageId;
    private readonly string? _text;

    internal OutboundHeaderValue(CorrelationContext context, bool isMessageId)
    {
        _context = context;
        _isMessageId = isMessageId;
    }

    internal OutboundHeaderValue(OutgoingFlowValue flow) => _flow = flow;

    /// <summary>A value that is not one of the context's IDs (the <c>baggage</c> header); its UTF-8 bytes are not cached.</summary>
    internal OutboundHeaderValue(string text)
    {
        _text = text;
    }

    /// <summary>Gets the value as text.</summary>
    public string Text => _flow is not null ? _flow.Text : _text ?? (_isMessageId ? _context!.MessageId! : _context!.CorrelationId);

    /// <summary>Gets the value as cached UTF-8 bytes. Never write to the underlying array.</summary>
    public ReadOnlyMemory<byte> Utf8 => _flow is not null ? _flow.Utf8 : _text is not null ? Encoding.UTF8.GetBytes(_text) : _isMessageId ? _context!.MessageIdUtf8 : _context!.CorrelationIdUtf8;

    /// <inheritdoc />
    public override string ToString() => Text;
}
