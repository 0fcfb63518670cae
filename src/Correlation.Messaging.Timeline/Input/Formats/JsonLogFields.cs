using System.Text.Json;

namespace Correlation.Messaging.Timeline.Input.Formats;

/// <summary>
/// The fields of one JSON log object, for every JSON log format: the top level; the property bags of
/// <see cref="FieldNames.PropertyBags"/> (<c>State</c> of the Microsoft JSON console, <c>Properties</c> of Serilog's JSON
/// formatter, <c>labels</c> of Elastic Common Schema...); each <c>Scopes</c> entry (later scopes win); and dotted names
/// (<c>service.name</c>) as a key or as nested objects (<c>{"service":{"name":...}}</c>, ECS).
/// </summary>
internal readonly struct JsonLogFields : ILogFields
{
    private const int MaxBags = 4;
    private readonly JsonElement _bag0;
    private readonly JsonElement _bag1;
    private readonly JsonElement _bag2;
    private readonly JsonElement _bag3;
    private readonly JsonElement _scopes;
    private readonly string? _containerService;
    private readonly DateTimeOffset? _containerTimestamp;

    public JsonLogFields(JsonElement root, string? containerService = null, DateTimeOffset? containerTimestamp = null)
    {
        Root = root;
        _containerService = containerService;
        _containerTimestamp = containerTimestamp;
        _bag0 = _bag1 = _bag2 = _bag3 = default;
        var count = 0;
        foreach (var name in FieldNames.PropertyBags)
        {
            if (count < MaxBags && root.TryGetProperty(name, out var bag) && bag.ValueKind == JsonValueKind.Object)
            {
                switch (count++)
                {
                    case 0: _bag0 = bag; break;
                    case 1: _bag1 = bag; break;
                    case 2: _bag2 = bag; break;
                    default: _bag3 = bag; break;
                }
            }
        }

        _scopes = root.TryGetProperty("Scopes", out var scopes) && scopes.ValueKind == JsonValueKind.Array ? scopes : default;
    }

    public JsonElement Root { get; }

    /// <inheritdoc/>
    public JsonElement? FindCore(string[] names)
    {
        foreach (var name in names)
        {
            if (Find(Root, name) is { } top)
            {
                return top;
            }

            for (var i = 0; i < MaxBags; i++)
            {
                var bag = Bag(i);
                if (bag.ValueKind == JsonValueKind.Object && Find(bag, name) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }

    /// <inheritdoc/>
    public JsonElement? FindContext(string[] names)
    {
        foreach (var name in names)
        {
            if (_scopes.ValueKind == JsonValueKind.Array)
            {
                for (var i = _scopes.GetArrayLength() - 1; i >= 0; i--)
                {
                    var scope = _scopes[i];
                    if (scope.ValueKind == JsonValueKind.Object && Find(scope, name) is { } fromScope)
                    {
                        return fromScope;
                    }
                }
            }

            for (var i = MaxBags - 1; i >= 0; i--)
            {
                var bag = Bag(i);
                if (bag.ValueKind == JsonValueKind.Object && Find(bag, name) is { } found)
                {
                    return found;
                }
            }

            if (Find(Root, name) is { } top)
            {
                return top;
            }
        }

        return null;
    }

    public bool TryGetTimestamp(out DateTimeOffset timestamp)
    {
        if (ValueConverters.TryGetTimestamp(FindCore(FieldNames.Timestamp), out timestamp))
        {
            return true;
        }

        timestamp = _containerTimestamp ?? default;
        return _containerTimestamp is not null;
    }

    public Severity GetSeverity() => ValueConverters.ParseSeverity(FindCore(FieldNames.Level));

    public string? GetMessage()
    {
        var message = ValueConverters.Text(FindCore(FieldNames.Message));

        // "message" in lower case is a flat-shape key; the JSON console formatter's Scopes entries also carry a
        // "Message" (the scope's text), which FindCore never looks at.
        return string.IsNullOrEmpty(message) ? null : message;
    }

    public string? GetTemplate() => FindCore(FieldNames.Template) is { ValueKind: JsonValueKind.String } template ? template.GetString() : null;

    public string? GetException() => ValueConverters.ExceptionText(FindCore(FieldNames.Exception));

    public string? GetCategory() => ValueConverters.Text(FindCore(FieldNames.Category));

    public string? GetContainerService() => _containerService;

    private JsonElement Bag(int i) => i switch { 0 => _bag0, 1 => _bag1, 2 => _bag2, _ => _bag3 };

    /// <summary>Finds a member by exact name, else case-insensitively; a dotted name also as nested objects.</summary>
    internal static JsonElement? Find(JsonElement obj, string name)
    {
        JsonElement? caseInsensitive = null;
        foreach (var property in obj.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (property.NameEquals(name))
            {
                return property.Value;
            }

            if (caseInsensitive is null && string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                caseInsensitive = property.Value;
            }
        }

        if (caseInsensitive is not null)
        {
            return caseInsensitive;
        }

        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && dot < name.Length - 1 && obj.TryGetProperty(name.AsSpan(0, dot), out var nested) && nested.ValueKind == JsonValueKind.Object)
        {
            return Find(nested, name[(dot + 1)..]);
        }

        return null;
    }
}
