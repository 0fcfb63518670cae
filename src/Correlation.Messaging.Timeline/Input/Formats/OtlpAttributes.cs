using System.Text.Json;

namespace Correlation.Messaging.Timeline.Input.Formats;

/// <summary>Reads OTLP/JSON attribute lists: <c>[{"key":"k","value":{"stringValue":"v"}}]</c>.</summary>
internal static class OtlpAttributes
{
    /// <summary>Finds the value of <paramref name="key"/> (its <c>stringValue</c>, <c>intValue</c>... element).</summary>
    public static JsonElement? Find(JsonElement attributes, string key)
    {
        if (attributes.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var attribute in attributes.EnumerateArray())
        {
            if (attribute.ValueKind == JsonValueKind.Object
                && attribute.TryGetProperty("key", out var name)
                && name.ValueKind == JsonValueKind.String
                && name.ValueEquals(key)
                && attribute.TryGetProperty("value", out var value))
            {
                return Unwrap(value);
            }
        }

        return null;
    }

    public static JsonElement? Find(JsonElement attributes, string[] keys)
    {
        foreach (var key in keys)
        {
            if (Find(attributes, key) is { } value)
            {
                return value;
            }
        }

        return null;
    }

    public static string? FindText(JsonElement attributes, string key) => ValueConverters.TrimmedText(Find(attributes, key));

    /// <summary>Unwraps an OTLP <c>AnyValue</c> (<c>{"stringValue":"x"}</c>) to its one member.</summary>
    public static JsonElement? Unwrap(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var member in value.EnumerateObject())
        {
            return member.Value.ValueKind == JsonValueKind.Null ? null : member.Value;
        }

        return null;
    }

    /// <summary>Gets the <c>attributes</c> array of an object (a resource, a record, a span), or an undefined element.</summary>
    public static JsonElement Of(JsonElement owner) =>
        owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty("attributes", out var attributes) && attributes.ValueKind == JsonValueKind.Array ? attributes : default;

    /// <summary>Gets the <c>service.name</c> of a resource, ignoring the SDK's <c>unknown_service</c> default.</summary>
    public static string? ServiceName(JsonElement resourceAttributes)
    {
        var name = FindText(resourceAttributes, "service.name");
        return name is null || name.StartsWith("unknown_service", StringComparison.Ordinal) ? null : name;
    }
}
