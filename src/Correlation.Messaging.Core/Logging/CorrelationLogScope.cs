using System.Collections;
using System.Text;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Logging;

/// <summary>
/// The logging scope state of one context: a read-only list of <c>correlation_id</c>, <c>causation_id</c>,
/// <c>message_id</c> (only those present), <c>correlation_depth</c>, <c>correlation_origin</c> and
/// <c>previous_correlation_id</c> (only when set), built once per context and reused by every scope opened for it.
/// </summary>
/// <remarks>
/// Logging providers that understand key/value scopes (the JSON console formatter with <c>IncludeScopes</c>,
/// Serilog.Extensions.Logging, OpenTelemetry) turn each pair into a structured field. IDs reaching this type are
/// validated: they hold no control or format characters, so they cannot forge a log line.
/// </remarks>
internal sealed class CorrelationLogScope : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly KeyValuePair<string, object?>[] _items;
    private string? _text;

    public CorrelationLogScope(CorrelationContext context)
    {
        var previous = context.PreviousCorrelationId;
        var count = 3 + (context.CausationId is null ? 0 : 1) + (context.MessageId is null ? 0 : 1) + (previous is null ? 0 : 1);
        _items = new KeyValuePair<string, object?>[count];
        var i = 0;
        _items[i++] = new(CorrelationHeaders.CorrelationIdLogField, context.CorrelationId);
        if (context.CausationId is not null)
        {
            _items[i++] = new(CorrelationHeaders.CausationIdLogField, context.CausationId);
        }

        if (context.MessageId is not null)
        {
            _items[i++] = new(CorrelationHeaders.MessageIdLogField, context.MessageId);
        }

        _items[i++] = new(CorrelationHeaders.DepthLogField, context.Depth);
        _items[i++] = new(CorrelationHeaders.OriginLogField, context.Origin);
        if (previous is not null)
        {
            _items[i] = new(CorrelationHeaders.PreviousCorrelationIdLogField, previous);
        }
    }

    public int Count => _items.Length;

    public KeyValuePair<string, object?> this[int index] => _items[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString()
    {
        if (_text is null)
        {
            var builder = new StringBuilder();
            foreach (var (key, value) in _items)
            {
                builder.Append(builder.Length == 0 ? string.Empty : " ").Append(key).Append(':').Append(value);
            }

            _text = builder.ToString();
        }

        return _text;
    }
}
