using System.Globalization;
using System.Reflection;
using System.Text;
using Correlation.Messaging.Timeline.Flows;
using Correlation.Messaging.Timeline.Input;
using Correlation.Messaging.Timeline.Rendering;

namespace Correlation.Messaging.Timeline.Cli;

/// <summary>The exit codes of <c>corr-timeline</c>.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int NotFound = 1;
    public const int Usage = 2;
}

/// <summary>What the command reads from and writes to; the console in production, strings in tests.</summary>
internal sealed record CommandEnvironment(
    TextWriter Out,
    TextWriter Error,
    Func<Stream>? OpenStdin,
    string CurrentDirectory,
    bool ColorByDefault);

/// <summary>Runs <c>corr-timeline</c>: reads the inputs, builds flows, prints one flow (and its HTML page) or the list.</summary>
internal static class TimelineCommand
{
    private const string Name = "corr-timeline";

    public static int Run(IReadOnlyList<string> args, CommandEnvironment env)
    {
        if (!TimelineOptions.TryParse(args, out var options, out var error))
        {
            env.Error.WriteLine($"{Name}: {error}");
            env.Error.WriteLine($"Try '{Name} --help'.");
            return ExitCodes.Usage;
        }

        if (options.Help)
        {
            env.Out.WriteLine(TimelineOptions.Usage);
            return ExitCodes.Ok;
        }

        if (options.Version)
        {
            env.Out.WriteLine(typeof(TimelineCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown");
            return ExitCodes.Ok;
        }

        var inputs = InputResolver.Resolve(options.Paths, env.CurrentDirectory);
        foreach (var missing in inputs.Unmatched)
        {
            env.Error.WriteLine($"{Name}: no such file, directory or matching glob: {Display.Clean(missing)}");
        }

        var readStdin = inputs.ReadStdin || options.Paths.Count == 0;
        if (readStdin && env.OpenStdin is null)
        {
            env.Error.WriteLine($"{Name}: no input: give log files, directories or globs, or pipe log lines on stdin.");
            env.Error.WriteLine($"Try '{Name} --help'.");
            return ExitCodes.Usage;
        }

        if (inputs.Files.Count == 0 && !readStdin)
        {
            env.Error.WriteLine($"{Name}: no input to read.");
            return ExitCodes.NotFound;
        }

        var reader = new LogReader(new LogLineParser(options.ServiceFromCategory));
        var records = new List<LogRecord>();
        var id = options.Id;
        Func<LogRecord, bool>? filter = id is null ? null : r => r.CorrelationId.StartsWith(id, StringComparison.OrdinalIgnoreCase);
        foreach (var file in inputs.Files)
        {
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.SequentialScan);
                using var text = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
                reader.Read(text, Path.GetRelativePath(env.CurrentDirectory, file), Path.GetFileNameWithoutExtension(file), records, filter);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                env.Error.WriteLine($"{Name}: cannot read {Display.Clean(file)}: {Display.Clean(ex.Message)}");
            }
        }

        if (readStdin && env.OpenStdin is not null)
        {
            using var stream = env.OpenStdin();
            using var text = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            reader.Read(text, "stdin", null, records, filter);
        }

        ReportStatistics(reader.Statistics, env.Error);
        var flows = FlowBuilder.BuildAll(records);
        var renderer = new TextRenderer(options.Color ?? env.ColorByDefault);
        if (id is null)
        {
            if (flows.Count == 0)
            {
                env.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Name}: no flows found: none of {reader.Statistics.Lines} lines from {reader.Statistics.Inputs} input(s) carried a correlation_id."));
                return ExitCodes.NotFound;
            }

            renderer.RenderList(flows, options.Limit, env.Out);
            return ExitCodes.Ok;
        }

        var match = FlowBuilder.Find(flows, id);
        if (match.Flow is null)
        {
            if (match.Ambiguous.Count > 0)
            {
                env.Error.WriteLine($"{Name}: '{Display.Clean(id)}' starts {match.Ambiguous.Count} correlation IDs; give more of it:");
                foreach (var candidate in match.Ambiguous.Take(20))
                {
                    env.Error.WriteLine($"  {Display.Clean(candidate.CorrelationId)}");
                }
            }
            else
            {
                env.Error.WriteLine($"{Name}: no flow with correlation ID '{Display.Clean(id)}' in the input (run without --id to list the flows).");
            }

            return ExitCodes.NotFound;
        }

        renderer.RenderFlow(match.Flow, env.Out);
        if (options.HtmlPath is not null)
        {
            var path = Path.GetFullPath(options.HtmlPath, env.CurrentDirectory);
            try
            {
                var directory = Path.GetDirectoryName(path);
                if (!string.IsNullOrEmpty(directory))
                {
                    Directory.CreateDirectory(directory);
                }

                File.WriteAllText(path, HtmlRenderer.Render(match.Flow), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                env.Error.WriteLine($"{Name}: wrote {options.HtmlPath}");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                env.Error.WriteLine($"{Name}: cannot write {options.HtmlPath}: {Display.Clean(ex.Message)}");
                return ExitCodes.NotFound;
            }
        }

        return ExitCodes.Ok;
    }

    private static void ReportStatistics(ReadStatistics statistics, TextWriter error)
    {
        if (statistics.NoTimestamp > 0)
        {
            error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Name}: {statistics.NoTimestamp} line{(statistics.NoTimestamp == 1 ? " has" : "s have")} no timestamp: ordered by causation (a message before the messages it caused), then read order; their times are positions, not clock times. For real times set TimestampFormat on the JSON console formatter."));
        }

        if (statistics.Malformed == 0)
        {
            return;
        }

        var details = new List<string>();

        if (statistics.TooLong > 0)
        {
            details.Add(string.Create(CultureInfo.InvariantCulture, $"{statistics.TooLong} longer than {LogLineParser.DefaultMaxLineLength} characters"));
        }

        var suffix = details.Count == 0 ? string.Empty : " (" + string.Join("; ", details) + ")";
        error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Name}: skipped {statistics.Malformed} malformed line{(statistics.Malformed == 1 ? string.Empty : "s")}{suffix}"));
    }
}
