using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using NLog.Layouts;
using NLog.Targets;
using OpenTelemetry;
using OpenTelemetry.Logs;
using ILogger = Microsoft.Extensions.Logging.ILogger;
using LogEventInfo = NLog.LogEventInfo;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Correlation.Messaging.Timeline.Tests.Formats;

/// <summary>A logger provider that runs a real <see cref="ConsoleFormatter"/> (the JSON console's) into a writer.</summary>
internal sealed class FormatterLoggerProvider(ConsoleFormatter formatter, TextWriter writer, IDisposable owner) : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ILogger CreateLogger(string categoryName) => new FormatterLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() => owner.Dispose();

    private sealed class FormatterLogger(FormatterLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var entry = new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter);
            provider.Write(entry);
        }
    }

    private void Write<TState>(in LogEntry<TState> entry)
    {
        var line = new StringWriter(CultureInfo.InvariantCulture);
        formatter.Write(entry, _scopes, line);
        writer.Write(line.ToString());
    }
}

/// <summary>One log event with its scope fields, for formats written here (ECS).</summary>
internal sealed record LineEvent(DateTimeOffset Timestamp, LogLevel Level, string Category, string Message, Exception? Exception, IReadOnlyList<KeyValuePair<string, object?>> Fields);

/// <summary>A logger provider that turns each event into one line with a function (the ECS document writer).</summary>
internal sealed class LineLoggerProvider(TextWriter writer, Func<LineEvent, string> format) : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ILogger CreateLogger(string categoryName) => new LineLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class LineLogger(LineLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = new List<KeyValuePair<string, object?>>();
            provider._scopes.ForEachScope(static (scope, list) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    list.AddRange(pairs);
                }
            }, fields);
            if (state is IEnumerable<KeyValuePair<string, object?>> properties)
            {
                fields.AddRange(properties.Where(p => p.Key != "{OriginalFormat}"));
            }

            provider.Write(new LineEvent(DateTimeOffset.UtcNow, logLevel, category, formatter(state, exception), exception, fields));
        }
    }

    private void Write(LineEvent e) => writer.WriteLine(format(e));
}

/// <summary>An NLog target that writes its layout's output to a <see cref="TextWriter"/>.</summary>
internal sealed class TextWriterTarget : TargetWithLayout
{
    private readonly TextWriter _writer;

    public TextWriterTarget(TextWriter writer, Layout layout)
    {
        _writer = writer;
        Layout = layout;
    }

    protected override void Write(LogEventInfo logEvent) => _writer.WriteLine(RenderLogEvent(Layout, logEvent));
}

/// <summary>
/// An OpenTelemetry log processor that keeps each record as OTLP/JSON (the proto3 JSON mapping the Collector's file
/// exporter writes: nanosecond times as strings, hex trace IDs, attributes as key/value lists), while the record is valid.
/// </summary>
internal sealed class OtlpJsonLogProcessor(string service) : BaseProcessor<LogRecord>
{
    private readonly JsonArray _records = [];

    public override void OnEnd(LogRecord data)
    {
        var attributes = new JsonArray();
        data.ForEachScope(static (scope, list) =>
        {
            foreach (var (key, value) in scope)
            {
                list.Add(OtlpJson.Attribute(key, value));
            }
        }, attributes);
        foreach (var (key, value) in data.Attributes ?? [])
        {
            attributes.Add(OtlpJson.Attribute(key, value));
        }

        if (data.Exception is { } exception)
        {
            attributes.Add(OtlpJson.Attribute("exception.type", exception.GetType().FullName));
            attributes.Add(OtlpJson.Attribute("exception.message", exception.Message));
            attributes.Add(OtlpJson.Attribute("exception.stacktrace", exception.ToString()));
        }

        var record = new JsonObject
        {
            ["timeUnixNano"] = OtlpJson.Nanos(data.Timestamp),
            ["observedTimeUnixNano"] = OtlpJson.Nanos(data.Timestamp),
            ["severityNumber"] = SeverityNumber(data),
            ["severityText"] = Level(data).ToString(),
            ["body"] = new JsonObject { ["stringValue"] = data.FormattedMessage ?? data.Body },
            ["attributes"] = attributes,
        };
        if (data.TraceId != default)
        {
            record["traceId"] = data.TraceId.ToHexString();
            record["spanId"] = data.SpanId.ToHexString();
        }

        lock (_records)
        {
            _records.Add(new JsonObject { ["scope"] = data.CategoryName, ["record"] = record });
        }
    }

#pragma warning disable CS0618 // LogLevel is the ILogger level the record was logged at; Severity is not public in this SDK version.
    private static LogLevel Level(LogRecord data) => data.LogLevel;
#pragma warning restore CS0618

    /// <summary>The OTLP severity number of an ILogger level, as the SDK's OTLP exporter maps it.</summary>
    private static int SeverityNumber(LogRecord data) => Level(data) switch
    {
        LogLevel.Trace => 1,
        LogLevel.Debug => 5,
        LogLevel.Information => 9,
        LogLevel.Warning => 13,
        LogLevel.Error => 17,
        LogLevel.Critical => 21,
        _ => 0,
    };

    /// <summary>One export batch: one line of the Collector's file exporter.</summary>
    public string ToOtlpJson()
    {
        var scopeLogs = new JsonArray();
        foreach (var group in _records.Select(r => r!.AsObject()).GroupBy(r => (string?)r["scope"]))
        {
            var records = new JsonArray();
            foreach (var r in group)
            {
                records.Add(r["record"]!.DeepClone());
            }

            scopeLogs.Add(new JsonObject { ["scope"] = new JsonObject { ["name"] = group.Key }, ["logRecords"] = records });
        }

        return new JsonObject
        {
            ["resourceLogs"] = new JsonArray(new JsonObject
            {
                ["resource"] = new JsonObject { ["attributes"] = new JsonArray(OtlpJson.Attribute("service.name", service)) },
                ["scopeLogs"] = scopeLogs,
            }),
        }.ToJsonString();
    }
}

/// <summary>The OTLP/JSON encoding of spans and attributes.</summary>
internal static class OtlpJson
{
    public static string Nanos(DateTime utc) => ((utc.ToUniversalTime().Ticks - DateTime.UnixEpoch.Ticks) * 100).ToString(CultureInfo.InvariantCulture);

    public static JsonObject Attribute(string key, object? value) => new()
    {
        ["key"] = key,
        ["value"] = value switch
        {
            int or long => new JsonObject { ["intValue"] = Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) },
            bool b => new JsonObject { ["boolValue"] = b },
            double d => new JsonObject { ["doubleValue"] = d },
            _ => new JsonObject { ["stringValue"] = Convert.ToString(value, CultureInfo.InvariantCulture) },
        },
    };

    public static string Spans(string service, IReadOnlyList<Activity> activities)
    {
        var spans = new JsonArray();
        foreach (var a in activities)
        {
            var attributes = new JsonArray();
            foreach (var (key, value) in a.TagObjects)
            {
                attributes.Add(Attribute(key, value));
            }

            var links = new JsonArray();
            foreach (var link in a.Links)
            {
                links.Add(new JsonObject { ["traceId"] = link.Context.TraceId.ToHexString(), ["spanId"] = link.Context.SpanId.ToHexString() });
            }

            var span = new JsonObject
            {
                ["traceId"] = a.TraceId.ToHexString(),
                ["spanId"] = a.SpanId.ToHexString(),
                ["parentSpanId"] = a.ParentSpanId == default ? string.Empty : a.ParentSpanId.ToHexString(),
                ["name"] = a.DisplayName,
                ["kind"] = a.Kind switch { ActivityKind.Server => 2, ActivityKind.Client => 3, ActivityKind.Producer => 4, ActivityKind.Consumer => 5, _ => 1 },
                ["startTimeUnixNano"] = Nanos(a.StartTimeUtc),
                ["endTimeUnixNano"] = Nanos(a.StartTimeUtc + a.Duration),
                ["attributes"] = attributes,
                ["links"] = links,
                ["status"] = a.Status == ActivityStatusCode.Error ? new JsonObject { ["code"] = 2, ["message"] = a.StatusDescription } : new JsonObject(),
            };
            spans.Add(span);
        }

        return new JsonObject
        {
            ["resourceSpans"] = new JsonArray(new JsonObject
            {
                ["resource"] = new JsonObject { ["attributes"] = new JsonArray(Attribute("service.name", service)) },
                ["scopeSpans"] = new JsonArray(new JsonObject { ["scope"] = new JsonObject { ["name"] = "Demo." + service }, ["spans"] = spans }),
            }),
        }.ToJsonString();
    }
}

/// <summary>A Serilog sink that writes each event with a formatter (CompactJsonFormatter, JsonFormatter) to a writer.</summary>
internal sealed class FormatterSink(Serilog.Formatting.ITextFormatter formatter, TextWriter writer) : Serilog.Core.ILogEventSink
{
    public void Emit(Serilog.Events.LogEvent logEvent) => formatter.Format(logEvent, writer);
}
