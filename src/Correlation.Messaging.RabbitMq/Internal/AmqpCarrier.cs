using System.Collections;
using Correlation.Messaging.Logging;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Propagation.Internal;
using Correlation.Messaging.Tracing;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace Correlation.Messaging.RabbitMq.Internal;

/// <summary>
/// The AMQP carrier: AMQP 0-9-1 header tables and the <c>correlation_id</c> property, read and written through static
/// delegates, so that names, precedence and validation stay in <see cref="CorrelationPropagator"/> and no delegate or
/// closure is allocated per message. The RabbitMQ.Client helpers and MassTransit's RabbitMQ transport share it.
/// </summary>
internal static class AmqpCarrier
{
    /// <summary>The longest AMQP <c>correlation_id</c>: a short string holds at most 255 bytes.</summary>
    public const int MaxCorrelationIdPropertyBytes = 255;

    /// <summary>Reads a header from raw AMQP properties (a RabbitMQ.Client delivery, or MassTransit's RabbitMQ receive context).</summary>
    public static readonly CorrelationHeaderGetter<IReadOnlyBasicProperties> PropertiesGetter =
        static (properties, name) => FromTable(properties.Headers, name);

    /// <summary>Writes a header to RabbitMQ.Client properties under its canonical name, removing every spelling of it first.</summary>
    public static readonly CorrelationHeaderSetter<IBasicProperties> PropertiesSetter =
        static (properties, name, value) =>
        {
            HeaderLookup.RemoveAllSpellings(properties.Headers, name);
            (properties.Headers ??= new Dictionary<string, object?>(StringComparer.Ordinal))[name] = value.Text;
        };

    /// <summary>Writes a W3C trace-context header to RabbitMQ.Client properties, replacing an existing one of the same name.</summary>
    public static readonly TraceContextHeaderSetter<IBasicProperties> TracePropertiesSetter =
        static (properties, name, value) => (properties.Headers ??= new Dictionary<string, object?>(StringComparer.Ordinal))[name] = value;

    private static readonly string TableTypeName = "Table";
    private static readonly string ArrayTypeName = "Array";
    private static readonly string TimestampTypeName = "Timestamp";

    /// <summary>Returns the AMQP <c>correlation_id</c> property as the native correlation value, or missing.</summary>
    /// <param name="properties">The delivery's properties.</param>
    /// <returns>The value.</returns>
    public static InboundHeaderValue NativeCorrelationId(IReadOnlyBasicProperties properties) =>
        properties.IsCorrelationIdPresent() ? InboundHeaderValue.FromText(properties.CorrelationId ?? string.Empty) : InboundHeaderValue.Missing;

    /// <summary>Returns the AMQP <c>message_id</c> property, or <see langword="null"/> when it is absent or empty.</summary>
    /// <param name="properties">The delivery's properties.</param>
    /// <returns>The message ID.</returns>
    public static string? MessageId(IReadOnlyBasicProperties properties) =>
        properties.IsMessageIdPresent() && !string.IsNullOrEmpty(properties.MessageId) ? properties.MessageId : null;

    /// <summary>
    /// Sets the AMQP <c>correlation_id</c> to the correlation ID unless the property is already set (the application's or
    /// MassTransit's own use) or the ID does not fit a short string (then only the header carries it).
    /// </summary>
    /// <param name="properties">The outgoing properties.</param>
    /// <param name="context">The correlation context being written.</param>
    /// <param name="headerName">The correlation header name, for the log.</param>
    /// <param name="logger">The logger.</param>
    /// <returns><see langword="true"/> when the property was set.</returns>
    public static bool TrySetCorrelationIdProperty(IBasicProperties properties, CorrelationContext context, string headerName, ILogger logger)
    {
        if (properties.IsCorrelationIdPresent())
        {
            return false;
        }

        var byteCount = context.CorrelationIdUtf8.Length;
        if (byteCount > MaxCorrelationIdPropertyBytes)
        {
            Log.CorrelationIdPropertyTooLong(logger, byteCount, headerName);
            CorrelationMetrics.Degraded.Add(
                1,
                new KeyValuePair<string, object?>("broker", "rabbitmq"),
                new KeyValuePair<string, object?>("reason", "correlation_id_too_long"));
            return false;
        }

        properties.CorrelationId = context.CorrelationId;
        return true;
    }

    /// <summary>Converts a raw AMQP field value to an inbound value: long strings arrive as bytes (strict UTF-8), other types are wrong types.</summary>
    /// <param name="value">The field value.</param>
    /// <returns>The inbound value.</returns>
    public static InboundHeaderValue FromValue(object? value) => value switch
    {
        null => InboundHeaderValue.Null,
        byte[] bytes => InboundHeaderValue.FromUtf8(bytes),
        string text => InboundHeaderValue.FromText(text),
        IDictionary => InboundHeaderValue.WrongType(TableTypeName),
        IList => InboundHeaderValue.WrongType(ArrayTypeName),
        AmqpTimestamp => InboundHeaderValue.WrongType(TimestampTypeName),
        _ => InboundHeaderValue.WrongType(value.GetType().Name),
    };

    /// <summary>Looks a header up by the one lookup rule of every broker (any spelling; the exact one, else the last; duplicates flagged).</summary>
    /// <param name="headers">The header table, or <see langword="null"/>.</param>
    /// <param name="name">The header name.</param>
    /// <returns>The value.</returns>
    public static InboundHeaderValue FromTable(IDictionary<string, object?>? headers, string name)
    {
        if (headers is null || headers.Count == 0)
        {
            return InboundHeaderValue.Missing;
        }

        var match = HeaderLookup.Find(headers, name);
        return match.Found ? FromValue(match.Value).WithDuplicates(match.HadDuplicates) : InboundHeaderValue.Missing;
    }

    /// <summary>Returns a new message ID for a message that has none: a UUIDv7 (time-ordered), as text.</summary>
    /// <returns>The message ID.</returns>
    public static string NewMessageId() => Guid.CreateVersion7().ToString("D", System.Globalization.CultureInfo.InvariantCulture);
}
