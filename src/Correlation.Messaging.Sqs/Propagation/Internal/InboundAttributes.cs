using System.Text;
using System.Text.Json;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs.Internal;

namespace Correlation.Messaging.Sqs.Propagation.Internal;

/// <summary>
/// The inbound carrier: a received message's attributes, plus the fields of the packed attribute when there is one.
/// A struct, so extraction does not allocate a carrier.
/// </summary>
internal readonly struct InboundAttributes<TValue, TAccessor>
    where TAccessor : ISqsAttributeAccessor<TValue>
{
    /// <summary>The largest packed attribute value read, in characters; anything longer is ignored.</summary>
    internal const int MaxPackedLength = 4096;

    private readonly IReadOnlyDictionary<string, TValue>? _attributes;
    private readonly PackedField[]? _packed;

    public InboundAttributes(IReadOnlyDictionary<string, TValue>? attributes, CorrelationPropagator propagator)
    {
        _attributes = attributes;
        _packed = null;
        if (attributes is not null && attributes.TryGetValue(SqsCorrelationAttributes.PackedAttributeName, out var packed))
        {
            _packed = ReadPacked(packed, propagator);
        }
    }

    public static InboundHeaderValue Get(InboundAttributes<TValue, TAccessor> carrier, string name)
    {
        var attributes = carrier._attributes;
        if (attributes is not null)
        {
            if (attributes.TryGetValue(name, out var exact))
            {
                return Map(exact);
            }

            if (attributes.Count > 0 && TryFindIgnoreCase(attributes, name, out var other))
            {
                return Map(other);
            }
        }

        var packed = carrier._packed;
        if (packed is not null)
        {
            for (var i = packed.Length - 1; i >= 0; i--)
            {
                if (string.Equals(packed[i].Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return packed[i].Value is { } text
                        ? InboundHeaderValue.FromText(text, packed[i].HadDuplicates)
                        : InboundHeaderValue.WrongType(packed[i].JsonType!);
                }
            }
        }

        return InboundHeaderValue.Missing;
    }

    private static InboundHeaderValue Map(TValue value)
    {
        var dataType = TAccessor.GetDataType(value);
        if (dataType is null)
        {
            return InboundHeaderValue.WrongType("no DataType");
        }

        if (IsType(dataType, "String"))
        {
            return InboundHeaderValue.FromText(TAccessor.GetStringValue(value));
        }

        return InboundHeaderValue.WrongType(IsType(dataType, "Number") ? "Number" : IsType(dataType, "Binary") ? "Binary" : "Unknown");
    }

    private static bool IsType(string dataType, string baseType) =>
        dataType.StartsWith(baseType, StringComparison.Ordinal) && (dataType.Length == baseType.Length || dataType[baseType.Length] == '.');

    private static bool TryFindIgnoreCase(IReadOnlyDictionary<string, TValue> attributes, string name, out TValue value)
    {
        if (attributes is Dictionary<string, TValue> dictionary)
        {
            foreach (var pair in dictionary)
            {
                if (string.Equals(pair.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    value = pair.Value;
                    return true;
                }
            }
        }
        else
        {
            foreach (var pair in attributes)
            {
                if (string.Equals(pair.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    value = pair.Value;
                    return true;
                }
            }
        }

        value = default!;
        return false;
    }

    private static PackedField[]? ReadPacked(TValue packed, CorrelationPropagator propagator)
    {
        var dataType = TAccessor.GetDataType(packed);
        var text = TAccessor.GetStringValue(packed);
        if (dataType is null || !IsType(dataType, "String") || string.IsNullOrEmpty(text))
        {
            Log.PackedAttributeIgnored(propagator.Logger, SqsCorrelationAttributes.PackedAttributeName, "not a non-empty String attribute");
            return null;
        }

        if (text.Length > MaxPackedLength)
        {
            Log.PackedAttributeIgnored(propagator.Logger, SqsCorrelationAttributes.PackedAttributeName, "longer than " + MaxPackedLength + " characters");
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { MaxDepth = 2 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                Log.PackedAttributeIgnored(propagator.Logger, SqsCorrelationAttributes.PackedAttributeName, "not a JSON object");
                return null;
            }

            var fields = new List<PackedField>(2);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                var duplicate = fields.Exists(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
                if (reader.TokenType == JsonTokenType.String)
                {
                    fields.Add(new PackedField(name, reader.GetString(), null, duplicate));
                }
                else
                {
                    fields.Add(new PackedField(name, null, "JSON " + reader.TokenType, duplicate));
                    reader.Skip();
                }
            }

            return [.. fields];
        }
        catch (JsonException ex)
        {
            Log.PackedAttributeIgnored(propagator.Logger, SqsCorrelationAttributes.PackedAttributeName, "invalid JSON: " + ex.GetType().Name);
            return null;
        }
        catch (InvalidOperationException ex)
        {
            Log.PackedAttributeIgnored(propagator.Logger, SqsCorrelationAttributes.PackedAttributeName, "invalid JSON: " + ex.GetType().Name);
            return null;
        }
    }

    private readonly record struct PackedField(string Name, string? Value, string? JsonType, bool HadDuplicates);
}
