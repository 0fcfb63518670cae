using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using NLog.Extensions.Logging;
using NLog.Layouts;
using NLog.Targets;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Serilog.Extensions.Logging;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Json;

namespace Correlation.Messaging.Timeline.Tests.Formats;

/// <summary>
/// Writes <see cref="DemoFlow"/> in each log format, through the real logging library where one is obtainable:
/// the Microsoft JSON console formatter, Serilog (CompactJsonFormatter, JsonFormatter), NLog (JsonLayout) and the
/// OpenTelemetry SDK. The OTLP/JSON envelope (what the Collector's file exporter writes), the ECS document shape (no
/// ECS .NET formatter is served), and the Loki and Elasticsearch envelopes are written here, after their specifications.
/// </summary>
internal static class FormatWriters
{
    public static readonly string[] Formats = ["ms-json-console", "serilog-clef", "serilog-json", "nlog-json", "ecs", "otlp-logs", "otlp-logs-and-traces", "otlp-traces", "loki", "elasticsearch"];

    /// <summary>Writes the flow in <paramref name="format"/> into <paramref name="directory"/> (one or more files).</summary>
    public static void Write(string format, string directory)
    {
        Directory.CreateDirectory(directory);
        switch (format)
        {
            case "ms-json-console":
                PerService(directory, "log", MicrosoftJsonConsole);
                break;
            case "serilog-clef":
                PerService(directory, "clef", (_, w) => Serilog(w, new CompactJsonFormatter()));
                break;
            case "serilog-json":
                PerService(directory, "json", (_, w) => Serilog(w, new JsonFormatter(renderMessage: true)));
                break;
            case "nlog-json":
                PerService(directory, "log", NLogJson);
                break;
            case "ecs":
                PerService(directory, "ndjson", (service, w) => new LineLoggerProvider(w, e => Ecs(service, e)));
                break;
            case "otlp-logs":
                Otlp(directory, logs: true, traces: false);
                break;
            case "otlp-logs-and-traces":
                Otlp(directory, logs: true, traces: true);
                break;
            case "otlp-traces":
                Otlp(directory, logs: false, traces: true);
                break;
            case "loki":
                Loki(directory);
                break;
            case "elasticsearch":
                Elasticsearch(directory);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, null);
        }
    }

    /// <summary>One file per service, each written by its own logger provider.</summary>
    private static void PerService(string directory, string extension, Func<string, TextWriter, ILoggerProvider> provider)
    {
        var writers = DemoFlow.Services.ToDictionary(s => s, _ => new StringWriter(CultureInfo.InvariantCulture));
        var providers = DemoFlow.Services.ToDictionary(s => s, s => provider(s, writers[s]));
        var factories = DemoFlow.Services.ToDictionary(s => s, s =>
        {
            var factory = new LoggerFactory();
            factory.AddProvider(providers[s]);
            return factory;
        });
        DemoFlow.Log(service => factories[service].CreateLogger(ServiceCategory(service)));
        foreach (var service in DemoFlow.Services)
        {
            factories[service].Dispose();
            providers[service].Dispose();
            File.WriteAllText(Path.Combine(directory, service + "." + extension), writers[service].ToString());
        }
    }

    private static string ServiceCategory(string service) => "Demo." + string.Concat(service.Split('-').Select(p => char.ToUpperInvariant(p[0]) + p[1..])) + ".Handler";

    // --- Microsoft.Extensions.Logging.Console's JSON formatter (the formatter itself, resolved from the container) ---
    private static ILoggerProvider MicrosoftJsonConsole(string service, TextWriter writer)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            o.UseUtcTimestamp = true;
        }));
        var provider = services.BuildServiceProvider();
        var formatter = provider.GetServices<ConsoleFormatter>().Single(f => f.Name == ConsoleFormatterNames.Json);
        return new FormatterLoggerProvider(formatter, writer, provider);
    }

    // --- Serilog, through Serilog.Extensions.Logging (scopes become properties) ---
    private static ILoggerProvider Serilog(TextWriter writer, ITextFormatter formatter)
    {
        var logger = new global::Serilog.LoggerConfiguration()
            .MinimumLevel.Verbose()
            .Enrich.FromLogContext()
            .WriteTo.Sink(new FormatterSink(formatter, writer))
            .CreateLogger();
        return new SerilogLoggerProvider(logger, dispose: true);
    }

    // --- NLog's JsonLayout, through NLog.Extensions.Logging ---
    private static ILoggerProvider NLogJson(string service, TextWriter writer)
    {
        var layout = new JsonLayout
        {
            IncludeEventProperties = true,
            IncludeScopeProperties = true,
            Attributes =
            {
                new JsonAttribute("time", "${date:universalTime=true:format=o}"),
                new JsonAttribute("level", "${level:upperCase=true}"),
                new JsonAttribute("logger", "${logger}"),
                new JsonAttribute("message", "${message}"),
                new JsonAttribute("exception", "${exception:format=tostring}"),
            },
        };
        var target = new TextWriterTarget(writer, layout);
        var configuration = new NLog.Config.LoggingConfiguration();
        configuration.AddRuleForAllLevels(target);
        var factory = new NLog.LogFactory { Configuration = configuration };
        return new NLogLoggerProvider(new NLogProviderOptions(), factory);
    }

    // --- Elastic Common Schema: the ecs-logging document shape (dotted top-level keys, custom fields under labels) ---
    private static string Ecs(string service, LineEvent e)
    {
        var labels = new JsonObject();
        foreach (var (key, value) in e.Fields)
        {
            labels[key] = JsonValue.Create(value?.ToString());
        }

        var doc = new JsonObject
        {
            ["@timestamp"] = e.Timestamp.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            ["log.level"] = e.Level.ToString(),
            ["message"] = e.Message,
            ["ecs.version"] = "8.11.0",
            ["log"] = new JsonObject { ["logger"] = e.Category },
            ["service"] = new JsonObject { ["name"] = service },
            ["labels"] = labels,
        };
        if (e.Exception is not null)
        {
            doc["error"] = new JsonObject { ["type"] = e.Exception.GetType().FullName, ["message"] = e.Exception.Message, ["stack_trace"] = e.Exception.ToString() };
        }

        return doc.ToJsonString();
    }

    // --- Loki logcli --output=jsonl: Serilog CLEF lines of every service, in one stream each, interleaved ---
    private static void Loki(string directory)
    {
        var temp = Path.Combine(directory, ".clef");
        Write("serilog-clef", temp);
        var lines = new List<(DateTimeOffset Time, string Line)>();
        foreach (var file in Directory.GetFiles(temp))
        {
            var service = Path.GetFileNameWithoutExtension(file);
            foreach (var line in File.ReadAllLines(file).Where(l => l.Length > 0))
            {
                var time = DateTimeOffset.Parse(JsonDocument.Parse(line).RootElement.GetProperty("@t").GetString()!, CultureInfo.InvariantCulture);
                var entry = new JsonObject
                {
                    ["labels"] = new JsonObject { ["service_name"] = service, ["namespace"] = "demo" },
                    ["line"] = line,
                    ["timestamp"] = time.ToString("o", CultureInfo.InvariantCulture),
                };
                lines.Add((time, entry.ToJsonString()));
            }
        }

        Directory.Delete(temp, recursive: true);
        File.WriteAllLines(Path.Combine(directory, "loki-export.jsonl"), lines.OrderByDescending(l => l.Time).Select(l => l.Line));
    }

    // --- Elasticsearch _search response over ECS documents, pretty-printed as curl ?pretty prints it ---
    private static void Elasticsearch(string directory)
    {
        var temp = Path.Combine(directory, ".ecs");
        Write("ecs", temp);
        var hits = new JsonArray();
        var i = 0;
        foreach (var line in Directory.GetFiles(temp).SelectMany(File.ReadAllLines).Where(l => l.Length > 0))
        {
            hits.Add(new JsonObject { ["_index"] = "logs-demo", ["_id"] = (i++).ToString(CultureInfo.InvariantCulture), ["_score"] = 1.0, ["_source"] = JsonNode.Parse(line) });
        }

        Directory.Delete(temp, recursive: true);
        var response = new JsonObject
        {
            ["took"] = 3,
            ["timed_out"] = false,
            ["hits"] = new JsonObject { ["total"] = new JsonObject { ["value"] = hits.Count, ["relation"] = "eq" }, ["hits"] = hits },
        };
        File.WriteAllText(Path.Combine(directory, "search-response.json"), response.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    // --- OpenTelemetry SDK: logs (IncludeScopes) and spans, written as the Collector's file exporter writes OTLP/JSON ---
    private static void Otlp(string directory, bool logs, bool traces)
    {
        var sources = DemoFlow.Services.ToDictionary(s => s, s => new ActivitySource("Demo." + s));
        var logProcessors = DemoFlow.Services.ToDictionary(s => s, s => new OtlpJsonLogProcessor(s));
        var spans = DemoFlow.Services.ToDictionary(s => s, _ => new List<Activity>());
        var tracers = DemoFlow.Services.ToDictionary(s => s, s => traces
            ? Sdk.CreateTracerProviderBuilder().AddSource(sources[s].Name).SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(s)).AddInMemoryExporter(spans[s]).Build()
            : null);
        var factories = DemoFlow.Services.ToDictionary(s => s, s => logs
            ? LoggerFactory.Create(b => b.AddOpenTelemetry(o =>
            {
                o.IncludeScopes = true;
                o.IncludeFormattedMessage = true;
                o.SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(s));
                o.AddProcessor(logProcessors[s]);
            }))
            : NullLoggerFactory.Instance);

        // Spans: the edge's server span, and per handling a consumer span linked to the producer span that sent its message.
        var producers = new Dictionary<string, ActivityContext>(StringComparer.Ordinal);
        var current = new Dictionary<string, Activity?>(StringComparer.Ordinal);
        IDisposable? Span(string service, string? messageId, string? causationId)
        {
            if (!traces)
            {
                return null;
            }

            var source = sources[service];
            Activity? activity;
            if (messageId is null)
            {
                activity = source.StartActivity("POST /orders", ActivityKind.Server);
            }
            else
            {
                ActivityLink[] links = producers.TryGetValue(messageId, out var producer) ? [new ActivityLink(producer)] : [];
                activity = source.StartActivity(ActivityKind.Consumer, parentContext: default, links: links, name: "process " + messageId[^4..]);
                activity?.SetTag("messaging.message.id", messageId);
            }

            // With logs, only the edge span carries the conversation ID: the others join the flow by trace ID (the log
            // records carry it) or by their links. Without logs, every span carries it, as Correlation.Messaging tags them.
            if (messageId is null || !logs)
            {
                activity?.SetTag("messaging.message.conversation_id", DemoFlow.CorrelationId);
            }

            current[service] = activity;
            return new SpanScope(activity, () => ProduceChildren(service, messageId));
        }

        void ProduceChildren(string service, string? messageId)
        {
            // The producer spans of what this handling sent, children of its span.
            var sent = (service, messageId) switch
            {
                ("orders-api", _) => [DemoFlow.OrderPlaced],
                ("orders-worker", _) => [DemoFlow.Line1, DemoFlow.Line2],
                ("inventory-service", DemoFlow.Line1) => [DemoFlow.Ship1],
                ("inventory-service", DemoFlow.Line2) => [DemoFlow.Ship2],
                _ => Array.Empty<string>(),
            };
            foreach (var id in sent)
            {
                if (producers.ContainsKey(id))
                {
                    continue;
                }

                using var producer = sources[service].StartActivity(ActivityKind.Producer, parentContext: current[service]!.Context, name: "send " + id[^4..]);
                producer?.SetTag("messaging.message.id", id);
                if (producer is not null)
                {
                    producers[id] = producer.Context;
                }
            }
        }

        DemoFlow.Log(service => factories[service].CreateLogger(ServiceCategory(service)), Span);
        foreach (var service in DemoFlow.Services)
        {
            tracers[service]?.Dispose();
            if (factories[service] is LoggerFactory factory)
            {
                factory.Dispose();
            }
        }

        var lines = new List<string>();
        foreach (var service in DemoFlow.Services)
        {
            if (logs)
            {
                lines.Add(logProcessors[service].ToOtlpJson());
            }

            if (traces)
            {
                lines.Add(OtlpJson.Spans(service, spans[service]));
            }
        }

        File.WriteAllLines(Path.Combine(directory, "otel-collector-export.jsonl"), lines);
    }

    private sealed class SpanScope(Activity? activity, Action beforeEnd) : IDisposable
    {
        public void Dispose()
        {
            beforeEnd();
            activity?.Dispose();
        }
    }
}
