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
    private readonly Dictionary<string, Entry> _index = new(StringComparer.OrdinalIgnoreCase);
    private readonly JsonElement[] _bags = new JsonElement[MaxBags];

    public void Build(JsonElement root)
    {
        _index.Clear();
        var bagCount = 0;
        foreach (var name in FieldNames.PropertyBags)
        {
            if (bagCount < MaxBags && root.TryGetProperty(name, out var bag) && bag.ValueKind == JsonValueKind.Object)
            {
                _bags[bagCount++] = bag;
            }
        }

        // Each object is read once. Ranks (lower wins): line-level order is top level (0), bags in order (1..n);
        // context order is scopes from the last (0..), bags from the last, top level (last of all).
        var scopeCount = 0;
        if (root.TryGetProperty("Scopes", out var scopes) && scopes.ValueKind == JsonValueKind.Array)
        {
            scopeCount = scopes.GetArrayLength();
            for (var i = scopeCount - 1; i >= 0; i--)
            {
                var scope = scopes[i];
                if (scope.ValueKind == JsonValueKind.Object)
                {
                    Add(scope, coreRank: int.MaxValue, contextRank: scopeCount - 1 - i, nested: false);
                }
            }
        }

        for (var i = 0; i < bagCount; i++)
        {
            Add(_bags[i], coreRank: 1 + i, contextRank: scopeCount + (bagCount - 1 - i), nested: false);
        }

        Add(root, coreRank: 0, contextRank: scopeCount + bagCount, nested: true);
    }

    public JsonElement? FindCore(string[] names)
    {
        foreach (var name in names)
        {
            if (_index.TryGetValue(name, out var entry) && entry.CoreRank != int.MaxValue)
            {
                return entry.Core;
            }
        }

        return null;
    }

    public JsonElement? FindContext(string[] names)
    {
        foreach (var name in names)
        {
            if (_index.TryGetValue(name, out var entry))
            {
                return entry.Context;
            }
        }

        return null;
    }

    private void Add(JsonElement obj, int coreRank, int contextRank, bool nested)
    {
        foreach (var property in obj.EnumerateObject())
        {
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            var name = property.Name;
            Put(name, value, coreRank, contextRank);
            if (nested && value.ValueKind == JsonValueKind.Object && !IsBag(name) && name != "Scopes")
            {
                foreach (var child in value.EnumerateObject())
                {
                    if (child.Value.ValueKind != JsonValueKind.Null)
                    {
                        Put(name + "." + child.Name, child.Value, coreRank, contextRank);
                    }
                }
            }
        }
    }

    private void Put(string name, JsonElement value, int coreRank, int contextRank)
    {
        ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_index, name, out var exists);
        if (!exists)
        {
            entry = new Entry { Core = value, CoreRank = coreRank, Context = value, ContextRank = contextRank };
            return;
        }

        if (coreRank < entry.CoreRank)
        {
            entry.Core = value;
            entry.CoreRank = coreRank;
        }

        if (contextRank < entry.ContextRank)
        {
            entry.Context = value;
            entry.ContextRank = contextRank;
        }
    }

    private static bool IsBag(string name) => Array.IndexOf(FieldNames.PropertyBags, name) >= 0;

    /// <summary>The member of one name that wins in each lookup order.</summary>
    private struct Entry
    {
        public JsonElement Core;
        public int CoreRank;
        public JsonElement Context;
        public int ContextRank;
    }
}
