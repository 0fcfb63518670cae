using System.Text;
using System.Text.Json;

namespace Correlation.Messaging.Timeline.Input.Formats;

/// <summary>
/// Detects the shape of one JSON value and opens the envelopes that log stores and collectors put around log records:
/// <list type="bullet">
/// <item>OTLP/JSON, as the OpenTelemetry Collector's file exporter writes it: <c>resourceLogs</c> and <c>resourceSpans</c>;</item>
/// <item>Elasticsearch: a <c>_search</c> response (<c>hits.hits[]._source</c>) or one hit (<c>_source</c>);</item>
/// <item>Loki <c>logcli --output=jsonl</c>: <c>{"labels":{...},"line":"...","timestamp":"..."}</c>, the line parsed again;</item>
/// <item>CloudWatch <c>aws logs filter-log-events</c>: <c>events[].message</c>; Docker json-file: <c>{"log":"...","stream":...}</c>;</item>
/// <item>a JSON array of any of these.</item>
/// </list>
/// Anything else is one log object.
/// </summary>
internal static class Envelopes
{
    private const int MaxNesting = 4;

    private static readonly string[] LabelServiceNames = ["service_name", "service", "app", "application", "job", "container", "logStreamName"];

    public static LineOutcome Read(LogLineParser parser, JsonElement root, in LineOrigin origin, IRecordSink sink, ReadStatistics statistics, int depth, string? containerService = null, DateTimeOffset? containerTimestamp = null)
    {
        if (depth > MaxNesting)
        {
            statistics.Malformed++;
            return LineOutcome.Malformed;
        }

        if (root.ValueKind == JsonValueKind.Array)
        {
            var outcome = LineOutcome.Blank;
            foreach (var item in root.EnumerateArray())
            {
                outcome = Merge(outcome, Read(parser, item, origin, sink, statistics, depth + 1, containerService, containerTimestamp));
            }

            return outcome;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            statistics.Malformed++;
            return LineOutcome.Malformed;
        }

        if (TryArray(root, "resourceLogs", out var resourceLogs))
        {
            return OtlpLogs(parser, resourceLogs, origin, sink, statistics);
        }

        if (TryArray(root, "resourceSpans", out var resourceSpans))
        {
            return OtlpSpans.Read(resourceSpans, origin, sink, statistics);
        }

        if (root.TryGetProperty("hits", out var hits) && hits.ValueKind == JsonValueKind.Object && TryArray(hits, "hits", out var hitArray))
        {
            var outcome = LineOutcome.NoCorrelationId;
            foreach (var hit in hitArray.EnumerateArray())
            {
                outcome = Merge(outcome, Read(parser, hit, origin, sink, statistics, depth + 1, containerService, containerTimestamp));
            }

            return outcome;
        }

        if (root.TryGetProperty("_source", out var source) && source.ValueKind == JsonValueKind.Object)
        {
            return Read(parser, source, origin, sink, statistics, depth + 1, containerService, containerTimestamp);
        }

        if (root.TryGetProperty("line", out var line) && line.ValueKind == JsonValueKind.String
            && (TryObject(root, "labels", out var labels) || TryObject(root, "stream", out labels)))
        {
            // Loki: the log line is a string; the labels name the service when the line does not.
            ValueConverters.TryGetTimestamp(root.TryGetProperty("timestamp", out var ts) ? ts : null, out var lokiTime);
            return Inner(parser, line.GetString()!, origin, sink, statistics, depth, LabelService(labels) ?? containerService, lokiTime == default ? containerTimestamp : lokiTime);
        }

        if (TryArray(root, "events", out var events) && events.GetArrayLength() > 0 && events[0].ValueKind == JsonValueKind.Object && events[0].TryGetProperty("message", out _))
        {
            // CloudWatch Logs: events[].message is the log line; events[].timestamp is in milliseconds.
            var outcome = LineOutcome.NoCorrelationId;
            foreach (var e in events.EnumerateArray())
            {
                if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                {
                    ValueConverters.TryGetTimestamp(e.TryGetProperty("timestamp", out var t) ? t : null, out var time);
                    var stream = e.TryGetProperty("logStreamName", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
                    outcome = Merge(outcome, Inner(parser, message.GetString()!, origin, sink, statistics, depth, containerService ?? stream, time == default ? containerTimestamp : time));
                }
            }

            return outcome;
        }

        if (root.TryGetProperty("log", out var dockerLog) && dockerLog.ValueKind == JsonValueKind.String && root.TryGetProperty("stream", out var dockerStream) && dockerStream.ValueKind == JsonValueKind.String)
        {
            ValueConverters.TryGetTimestamp(root.TryGetProperty("time", out var t) ? t : null, out var time);
            return Inner(parser, dockerLog.GetString()!, origin, sink, statistics, depth, containerService, time == default ? containerTimestamp : time);
        }

        return parser.Emit(new JsonLogFields(parser.Index, root, containerService, containerTimestamp), origin, sink, statistics);
    }

    private static LineOutcome Inner(LogLineParser parser, string text, in LineOrigin origin, IRecordSink sink, ReadStatistics statistics, int depth, string? containerService, DateTimeOffset? containerTimestamp)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.IsEmpty || trimmed[0] is not ('{' or '['))
        {
            statistics.Malformed++;
            return LineOutcome.Malformed;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(Encoding.UTF8.GetBytes(trimmed.ToString()), LogLineParser.DocumentOptions);
        }
        catch (JsonException)
        {
            statistics.Malformed++;
            return LineOutcome.Malformed;
        }

        using (document)
        {
            return Read(parser, document.RootElement, origin, sink, statistics, depth + 1, containerService, containerTimestamp);
        }
    }

    private static LineOutcome OtlpLogs(LogLineParser parser, JsonElement resourceLogs, in LineOrigin origin, IRecordSink sink, ReadStatistics statistics)
    {
        var outcome = LineOutcome.NoCorrelationId;
        foreach (var resourceLog in resourceLogs.EnumerateArray())
        {
            if (resourceLog.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var resourceAttributes = resourceLog.TryGetProperty("resource", out var resource) ? OtlpAttributes.Of(resource) : default;
            if (!TryArray(resourceLog, "scopeLogs", out var scopeLogs))
            {
                continue;
            }

            foreach (var scopeLog in scopeLogs.EnumerateArray())
            {
                if (scopeLog.ValueKind != JsonValueKind.Object || !TryArray(scopeLog, "logRecords", out var records))
                {
                    continue;
                }

                var scopeName = scopeLog.TryGetProperty("scope", out var scope) && scope.ValueKind == JsonValueKind.Object && scope.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;
                foreach (var record in records.EnumerateArray())
                {
                    if (record.ValueKind == JsonValueKind.Object)
                    {
                        outcome = Merge(outcome, parser.Emit(new OtlpLogFields(record, resourceAttributes, scopeName), origin, sink, statistics));
                    }
                }
            }
        }

        return outcome;
    }

    private static string? LabelService(JsonElement labels)
    {
        foreach (var name in LabelServiceNames)
        {
            if (labels.TryGetProperty(name, out var value) && ValueConverters.TrimmedText(value) is { } text)
            {
                return text;
            }
        }

        return null;
    }

    /// <summary>Combines the outcomes of several records of one line: a record wins, then no timestamp, then the rest.</summary>
    internal static LineOutcome Merge(LineOutcome a, LineOutcome b) =>
        a == LineOutcome.Record || b == LineOutcome.Record ? LineOutcome.Record
        : a == LineOutcome.NoTimestamp || b == LineOutcome.NoTimestamp ? LineOutcome.NoTimestamp
        : a == LineOutcome.NoCorrelationId || b == LineOutcome.NoCorrelationId ? LineOutcome.NoCorrelationId
        : b;

    internal static bool TryArray(JsonElement obj, string name, out JsonElement array)
    {
        if (obj.TryGetProperty(name, out array) && array.ValueKind == JsonValueKind.Array)
        {
            return true;
        }

        array = default;
        return false;
    }

    private static bool TryObject(JsonElement obj, string name, out JsonElement value)
    {
        if (obj.TryGetProperty(name, out value) && value.ValueKind == JsonValueKind.Object)
        {
            return true;
        }

        value = default;
        return false;
    }
}
