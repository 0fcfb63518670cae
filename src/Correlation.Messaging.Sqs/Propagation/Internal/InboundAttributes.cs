using System.Text;
using System.Text.Json;
using Amazon.SQS.Model;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs.Internal;

namespace Correlation.Messaging.Sqs.Propagation.Internal;

/// <summary>
/// The inbound carrier: a message's attributes, plus the fields of the packed attribute when there is one.
/// A struct, so extraction does not allocate a carrier.
/// </summary>
internal readonly struct InboundAttributes
{
    /// <summary>The largest packed attribute value read, in characters; anything longer is ignored.</summary>
    internal const int MaxPackedLength = 4096;

    private readonly IReadOnlyDictionary<string, MessageAttributeValue>? _attributes;
    private readonly PackedField[]? _packed;

    public InboundAttributes(IReadOnlyDictionary<string, MessageAttributeValue>? attributes, CorrelationPropagator propagator, bool logProblems = true)
    {
        _attributes = attributes;
        _packed = null;
        if (attributes is not null && attributes.TryGetValue(SqsCorrelationAttributes.PackedAttributeName, out var packed))
        {
            _packed = ReadPacked(packed, logProblems ? propagator : null);
        }
    }

    public static InboundHeaderValue Get(InboundAttributes carrier, string name)
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

    internal static bool IsType(string dataType, string baseType) =>
        dataType.StartsWith(baseType, StringComparison.Ordinal) && (dataType.Length == baseType.Length || dataType[baseType.Length] == '.');

    private static InboundHeaderValue Map(MessageAttributeValue? value)
    {
        var dataType = value?.DataType;
        if (dataType is null)
        {
            return InboundHeaderValue.WrongType("no DataType");
        }

        if (IsType(dataType, "String"))
        {
            return InboundHeaderValue.FromText(value!.StringValue);
        }

        return InboundHeaderValue.WrongType(IsType(dataType, "Number") ? "Number" : IsType(dataType, "Binary") ? "Binary" : "Unknown");
    }

    private static bool TryFindIgnoreCase(IReadOnlyDictionary<string, MessageAttributeValue> attributes, string name, out MessageAttributeValue value)
    {
        if (attributes is Dictionary<string, MessageAttributeValue> dictionary)
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

        value = null!;
        return false;
    }

    private static PackedField[]? ReadPacked(MessageAttributeValue? packed, CorrelationPropagator? propagator)
    {
        var dataType = packed?.DataType;
        var text = packed?.StringValue;
        if (dataType is null || !IsType(dataType, "String") || string.IsNullOrEmpty(text))
        {
            Ignored(propagator, "not a non-empty String attribute");
            return null;
        }

        if (text.Length > MaxPackedLength)
        {
            Ignored(propagator, "longer than " + MaxPackedLength + " characters");
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { MaxDepth = 2 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                Ignored(propagator, "not a JSON object");
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
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            Ignored(propagator, "invalid JSON: " + ex.GetType().Name);
            return null;
        }
    }

    private static void Ignored(CorrelationPropagator? propagator, string reason)
    {
        if (propagator is not null)
        {
            Log.PackedAttributeIgnored(propagator.Logger, SqsCorrelationAttributes.PackedAttributeName, reason);
        }
    }

    private readonly record struct PackedField(string Name, string? Value, string? JsonType, bool HadDuplicates);
}
