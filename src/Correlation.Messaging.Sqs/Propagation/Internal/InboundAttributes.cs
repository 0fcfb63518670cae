using System.Text;
using System.Text.Json;
using Amazon.SQS.Model;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Propagation.Internal;
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

    /// <summary>Reads one name by Core's lookup rule: attributes first (exact spelling over case variants), then the packed members.</summary>
    public static InboundHeaderValue Get(InboundAttributes carrier, string name)
    {
        var match = HeaderLookup.Find(carrier._attributes, name);
        if (match.Found)
        {
            return Map(match.Value, match.HadDuplicates);
        }

        var packed = carrier._packed;
        if (packed is not null)
        {
            var field = new HeaderLookup.Match<PackedField>(name);
            foreach (var candidate in packed)
            {
                field.Consider(candidate.Name, candidate);
            }

            if (field.Found)
            {
                var value = field.Value;
                return value.Value is { } text
                    ? InboundHeaderValue.FromText(text, field.HadDuplicates)
                    : InboundHeaderValue.WrongType(value.JsonType!);
            }
        }

        return InboundHeaderValue.Missing;
    }

    internal static bool IsType(string dataType, string baseType) =>
        dataType.StartsWith(baseType, StringComparison.Ordinal) && (dataType.Length == baseType.Length || dataType[baseType.Length] == '.');

    private static InboundHeaderValue Map(MessageAttributeValue? value, bool hadDuplicates)
    {
        var dataType = value?.DataType;
        if (dataType is null)
        {
            return InboundHeaderValue.WrongType("no DataType");
        }

        if (IsType(dataType, "String"))
        {
            return InboundHeaderValue.FromText(value!.StringValue, hadDuplicates);
        }

        return InboundHeaderValue.WrongType(IsType(dataType, "Number") ? "Number" : IsType(dataType, "Binary") ? "Binary" : "Unknown");
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
                if (reader.TokenType == JsonTokenType.String)
                {
                    fields.Add(new PackedField(name, reader.GetString(), null));
                }
                else
                {
                    fields.Add(new PackedField(name, null, "JSON " + reader.TokenType));
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

    private readonly record struct PackedField(string Name, string? Value, string? JsonType);
}
