using System.Text;
using System.Text.Json;

namespace Correlation.Messaging.Timeline.Input.Formats;

/// <summary>
/// The fields of one OTLP/JSON log record (<c>resourceLogs[].scopeLogs[].logRecords[]</c>): context fields from the
/// record's attributes (the .NET SDK puts logging-scope values there with <c>IncludeScopes</c>), then the resource's;
/// time from <c>timeUnixNano</c> (else <c>observedTimeUnixNano</c>); level from <c>severityNumber</c>/<c>severityText</c>;
/// text from <c>body</c>; category from the instrumentation scope's name; exception from <c>exception.*</c> attributes.
/// </summary>
internal readonly struct OtlpLogFields : ILogFields
{
    private readonly JsonElement _record;
    private readonly JsonElement _attributes;
    private readonly JsonElement _resourceAttributes;
    private readonly string? _scopeName;

    public OtlpLogFields(JsonElement record, JsonElement resourceAttributes, string? scopeName)
    {
        _record = record;
        _attributes = OtlpAttributes.Of(record);
        _resourceAttributes = resourceAttributes;
        _scopeName = scopeName;
    }

    public JsonElement? FindContext(string[] names) => FindCore(names);

    public JsonElement? FindCore(string[] names)
    {
        if (OtlpAttributes.Find(_attributes, names) is { } value)
        {
            return value;
        }

        if (names == FieldNames.TraceId && _record.TryGetProperty("traceId", out var traceId) && traceId.ValueKind == JsonValueKind.String && traceId.GetString()!.Length > 0)
        {
            return traceId;
        }

        // The resource's service.name is the container's service (after the record's own fields, and never the SDK's
        // unknown_service default).
        return ReferenceEquals(names, FieldNames.Service) ? null : OtlpAttributes.Find(_resourceAttributes, names);
    }

    public bool TryGetTimestamp(out DateTimeOffset timestamp) =>
        ValueConverters.TryGetUnixNanos(Member("timeUnixNano"), out timestamp)
        || ValueConverters.TryGetUnixNanos(Member("observedTimeUnixNano"), out timestamp);

    public Severity GetSeverity()
    {
        if (Member("severityNumber") is { } number && ValueConverters.TryGetInt(number, out var value, out _) && value > 0)
        {
            return ValueConverters.FromOtlpSeverityNumber(value);
        }

        return ValueConverters.ParseSeverityText(ValueConverters.Text(Member("severityText")));
    }

    public string? GetMessage() => Member("body") is { } body ? ValueConverters.Text(OtlpAttributes.Unwrap(body)) : null;

    public string? GetTemplate() => ValueConverters.Text(OtlpAttributes.Find(_attributes, "{OriginalFormat}"));

    public string? GetException()
    {
        var type = OtlpAttributes.FindText(_attributes, "exception.type");
        var message = OtlpAttributes.FindText(_attributes, "exception.message");
        var stack = OtlpAttributes.FindText(_attributes, "exception.stacktrace");
        if (stack is not null)
        {
            return stack;
        }

        if (type is null && message is null)
        {
            return null;
        }

        return new StringBuilder().Append(type).Append(type is not null && message is not null ? ": " : string.Empty).Append(message).ToString();
    }

    public string? GetCategory() => _scopeName;

    public string? GetContainerService() => OtlpAttributes.ServiceName(_resourceAttributes);

    private JsonElement? Member(string name) =>
        _record.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;
}
