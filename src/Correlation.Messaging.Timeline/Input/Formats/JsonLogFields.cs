using System.Text.Json;

namespace Correlation.Messaging.Timeline.Input.Formats;

/// <summary>
/// The fields of one JSON log object, for every JSON log format: the top level; the property bags of
/// <see cref="FieldNames.PropertyBags"/> (<c>State</c> of the Microsoft JSON console, <c>Properties</c> of Serilog's JSON
/// formatter, <c>labels</c> of Elastic Common Schema...); each <c>Scopes</c> entry (later scopes win); and dotted names
/// (<c>service.name</c>) as a key or as nested objects (<c>{"service":{"name":...}}</c>, ECS). Names match
/// case-insensitively. The object's members are indexed once per line (<see cref="FieldIndex"/>), so that each of the
/// few dozen names looked up costs one hash lookup.
/// </summary>
internal readonly struct JsonLogFields : ILogFields
{
    private readonly FieldIndex _index;
    private readonly string? _containerService;
    private readonly DateTimeOffset? _containerTimestamp;

    public JsonLogFields(FieldIndex index, JsonElement root, string? containerService = null, DateTimeOffset? containerTimestamp = null)
    {
        _index = index;
        _containerService = containerService;
        _containerTimestamp = containerTimestamp;
        index.Build(root);
    }

    /// <inheritdoc/>
    public JsonElement? FindCore(string[] names) => _index.FindCore(names);

    /// <inheritdoc/>
    public JsonElement? FindContext(string[] names) => _index.FindContext(names);

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
        return string.IsNullOrEmpty(message) ? null : message;
    }

    public string? GetTemplate() => FindCore(FieldNames.Template) is { ValueKind: JsonValueKind.String } template ? template.GetString() : null;

    public string? GetException() => ValueConverters.ExceptionText(FindCore(FieldNames.Exception));

    public string? GetCategory() => ValueConverters.Text(FindCore(FieldNames.Category));

    public string? GetContainerService() => _containerService;
}

/// <summary>
/// The members of one JSON log object in two lookup orders: line-level fields (the top level, then the property bags in
/// order) and context fields (the scopes from the last, then the property bags from the last, then the top level); the
/// first member of a name in each order wins. A member that is an object (not a bag) is indexed one level down as
/// <c>name.child</c>. Reused from line to line by one parser.
/// </summary>
internal sealed class FieldIndex
{
    private const int MaxBags = 8;
    private readonly Dictionary<string, JsonElement> _core = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, JsonElement> _context = new(StringComparer.OrdinalIgnoreCase);
    private readonly JsonElement[] _bags = new JsonElement[MaxBags];

    public void Build(JsonElement root)
    {
        _core.Clear();
        _context.Clear();
        var bagCount = 0;
        foreach (var name in FieldNames.PropertyBags)
        {
            if (bagCount < MaxBags && root.TryGetProperty(name, out var bag) && bag.ValueKind == JsonValueKind.Object)
            {
                _bags[bagCount++] = bag;
            }
        }

        Add(_core, root, nested: true);
        for (var i = 0; i < bagCount; i++)
        {
            Add(_core, _bags[i], nested: false);
        }

        if (root.TryGetProperty("Scopes", out var scopes) && scopes.ValueKind == JsonValueKind.Array)
        {
            for (var i = scopes.GetArrayLength() - 1; i >= 0; i--)
            {
                var scope = scopes[i];
                if (scope.ValueKind == JsonValueKind.Object)
                {
                    Add(_context, scope, nested: false);
                }
            }
        }

        for (var i = bagCount - 1; i >= 0; i--)
        {
            Add(_context, _bags[i], nested: false);
        }

        Add(_context, root, nested: true);
    }

    public JsonElement? FindCore(string[] names) => Find(_core, names);

    public JsonElement? FindContext(string[] names) => Find(_context, names);

    private static JsonElement? Find(Dictionary<string, JsonElement> index, string[] names)
    {
        foreach (var name in names)
        {
            if (index.TryGetValue(name, out var value))
            {
                return value;
            }
        }

        return null;
    }

    private static void Add(Dictionary<string, JsonElement> index, JsonElement obj, bool nested)
    {
        foreach (var property in obj.EnumerateObject())
        {
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            var name = property.Name;
            index.TryAdd(name, value);
            if (nested && value.ValueKind == JsonValueKind.Object && !IsBag(name))
            {
                foreach (var child in value.EnumerateObject())
                {
                    if (child.Value.ValueKind != JsonValueKind.Null)
                    {
                        index.TryAdd(name + "." + child.Name, child.Value);
                    }
                }
            }
        }
    }

    private static bool IsBag(string name) => Array.IndexOf(FieldNames.PropertyBags, name) >= 0;
}
