using System.Globalization;

namespace Correlation.Messaging.Timeline.Cli;

/// <summary>The parsed command line.</summary>
internal sealed record TimelineOptions
{
    public const int DefaultLimit = 20;

    public IReadOnlyList<string> Paths { get; init; } = [];

    public string? Id { get; init; }

    public string? HtmlPath { get; init; }

    public int Limit { get; init; } = DefaultLimit;

    public bool ServiceFromCategory { get; init; }

    /// <summary>Gets whether to colour the output; <see langword="null"/> decides from the terminal.</summary>
    public bool? Color { get; init; }

    public bool Help { get; init; }

    public bool Version { get; init; }

    public const string Usage = """
        corr-timeline: paste a correlation ID, see the whole story.
        Reads JSON log lines (one object per line) written by services using Correlation.Messaging, and shows one
        flow in time order with its causation tree, or lists the flows it found.

        Usage:
          corr-timeline [<logs>...] [--id <correlation-id>] [--html <file>] [options]

        Arguments:
          <logs>                 log files, directories (their .log/.json/.jsonl/.ndjson/.txt/.clef files, recursively),
                                 globs such as "logs/**/*.log", or - for stdin. Without any, reads stdin.

        Options:
          -i, --id <id>          show the flow with this correlation ID (exact, or a unique prefix)
              --html <file>      also write the flow as a self-contained HTML page (Gantt chart); needs --id
          -n, --limit <n>        without --id: list at most n flows, most recent first (default 20)
              --service-from-category
                                 lines without a service field are named after their logger category
                                 (default: a "service"/"service.name"/OTEL_SERVICE_NAME field, else a process
                                 field, else the file name; --service-from-file is accepted and is the default)
              --color, --no-color
                                 force or disable ANSI colours (default: colours on a terminal unless NO_COLOR is set)
          -h, --help             show this help
              --version          show the version

        Lines without a timestamp are kept and ordered by causation (a message before the messages it caused), then
        read order; the tool says so on stderr.

        Input formats, detected per line with no flag: Microsoft.Extensions.Logging JSON console (IncludeScopes,
        TimestampFormat set), Serilog compact JSON (CLEF) and JSON, NLog JsonLayout, Elastic Common Schema, OTLP/JSON
        logs and traces (the OpenTelemetry Collector's file exporter), Loki logcli --output=jsonl, Elasticsearch
        _search responses, CloudWatch filter-log-events output, Docker json-file, and flat JSON (timestamp/time, level,
        message/msg, correlation_id, causation_id, message_id, service, step, status, attempt/retry).
        OTLP spans join the flow by messaging.message.conversation_id, correlation.id or trace ID.

        Unreadable lines (binary, truncated, broken JSON, over 16 MiB) are skipped and counted on stderr.
        On a terminal, long scans show a progress bar on stderr.

        Exit codes: 0 ok, 1 no such flow or no input, 2 usage error.
        """;

    /// <summary>Parses the arguments; returns <see langword="false"/> with a message for a usage error.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out TimelineOptions options, out string? error)
    {
        options = new TimelineOptions();
        error = null;
        var paths = new List<string>();
        var onlyPaths = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (onlyPaths || arg == "-" || !arg.StartsWith('-'))
            {
                paths.Add(arg);
                continue;
            }

            string? inlineValue = null;
            var name = arg;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 2)
            {
                name = arg[..equals];
                inlineValue = arg[(equals + 1)..];
            }

            switch (name)
            {
                case "--":
                    onlyPaths = true;
                    break;
                case "-i" or "--id":
                    if (!TakeValue(args, ref i, name, inlineValue, out var id, out error))
                    {
                        return false;
                    }

                    if (string.IsNullOrWhiteSpace(id))
                    {
                        error = "--id needs a non-empty correlation ID";
                        return false;
                    }

                    options = options with { Id = id.Trim() };
                    break;
                case "--html":
                    if (!TakeValue(args, ref i, name, inlineValue, out var html, out error))
                    {
                        return false;
                    }

                    options = options with { HtmlPath = html };
                    break;
                case "-n" or "--limit":
                    if (!TakeValue(args, ref i, name, inlineValue, out var limitText, out error))
                    {
                        return false;
                    }

                    if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit < 1)
                    {
                        error = $"--limit needs a positive whole number, not '{limitText}'";
                        return false;
                    }

                    options = options with { Limit = limit };
                    break;
                case "--service-from-file" when inlineValue is null:
                    break; // the default since lines stopped taking their service from the logger category
                case "--service-from-category" when inlineValue is null:
                    options = options with { ServiceFromCategory = true };
                    break;
                case "--color" when inlineValue is null:
                    options = options with { Color = true };
                    break;
                case "--no-color" when inlineValue is null:
                    options = options with { Color = false };
                    break;
                case "-h" or "-?" or "--help" when inlineValue is null:
                    options = options with { Help = true };
                    break;
                case "--version" when inlineValue is null:
                    options = options with { Version = true };
                    break;
                default:
                    error = $"unknown option '{arg}'";
                    return false;
            }
        }

        if (options.HtmlPath is not null && options.Id is null && !options.Help)
        {
            error = "--html needs --id (run without --id to list the flows)";
            return false;
        }

        options = options with { Paths = paths };
        return true;
    }

    private static bool TakeValue(IReadOnlyList<string> args, ref int i, string name, string? inlineValue, out string value, out string? error)
    {
        error = null;
        if (inlineValue is not null)
        {
            value = inlineValue;
            return true;
        }

        if (i + 1 >= args.Count)
        {
            value = string.Empty;
            error = $"{name} needs a value";
            return false;
        }

        value = args[++i];
        return true;
    }
}
