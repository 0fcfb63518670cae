using System.Text.Json;

namespace Correlation.Messaging.Timeline.Input;

/// <summary>
/// The fields of one log record, whatever its format: line-level fields (time, level, message...) and context fields
/// (IDs, service, step...) looked up by the names of <see cref="FieldNames"/>.
/// </summary>
internal interface ILogFields
{
    /// <summary>Finds a context field (IDs, service, step, depth...): scopes and properties before the top level.</summary>
    JsonElement? FindContext(string[] names);

    /// <summary>Finds a line-level field: the top level before scopes and properties.</summary>
    JsonElement? FindCore(string[] names);

    bool TryGetTimestamp(out DateTimeOffset timestamp);

    Severity GetSeverity();

    string? GetMessage();

    string? GetTemplate();

    string? GetException();

    string? GetCategory();

    /// <summary>Gets a service name that the record's container knows (an OTLP resource, Loki labels), used after the record's own fields.</summary>
    string? GetContainerService();
}
