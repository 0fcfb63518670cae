using System.Globalization;
using System.Reflection;
using System.Text;
using Correlation.Messaging.Timeline.Flows;
using Correlation.Messaging.Timeline.Input;
using Correlation.Messaging.Timeline.Rendering;
using Correlation.Messaging.Timeline.Traces;

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
    bool ColorByDefault,
    bool ShowProgress = false);

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

        var parser = new LogLineParser(options.ServiceFromCategory);
        var reader = new LogReader(parser);
        var totalBytes = inputs.Files.Sum(static f => SafeLength(f));
        var progress = env.ShowProgress ? new ProgressLine(env.Error, totalBytes) : null;
        var id = options.Id;
        if (id is null)
        {
            // The list: every line is read, and only per-flow summaries are kept.
            var summaries = new FlowSummaries(reader.NextSequence);
            ReadAll(inputs.Files, readStdin, env, reader, summaries, ReadSelection.All, progress);
            progress?.Clear();
            ReportStatistics(reader.Statistics, env.Error);
            var list = summaries.Build();
            if (list.Count == 0)
            {
                env.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Name}: no flows found: none of {reader.Statistics.Lines} lines from {reader.Statistics.Inputs} input(s) carried a correlation_id."));
                return ExitCodes.NotFound;
            }

            new TextRenderer(options.Color ?? env.ColorByDefault).RenderList(list, options.Limit, env.Out);
            return ExitCodes.Ok;
        }

        // One flow: only the lines that contain the ID are parsed (grep's speed), and only the flow's records are kept.
        var collector = new FlowCollector(reader, id);
        var selection = ReadSelection.Containing([id]);
        ReadAll(inputs.Files, readStdin, env, reader, collector, selection, progress);
        progress?.Clear();
        ReportStatistics(reader.Statistics, env.Error);

        // A second pass over the files (not stdin) finds what names the flow only by another ID: its previous flows, and
        // spans that carry no correlation ID but share a trace ID with the flow.
        var traceIds = collector.Records.Select(static r => r.TraceId).Concat(collector.Spans.Where(s => s.CorrelationId?.StartsWith(id, StringComparison.OrdinalIgnoreCase) == true).Select(static s => s.TraceId)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var previousIds = collector.Records.Select(static r => r.PreviousCorrelationId).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var needles = previousIds.Concat(selection.SawSpans ? traceIds : []).ToList();
        if (needles.Count > 0 && inputs.Files.Count > 0)
        {
            var again = new LogReader(parser, reader.NextSequence());
            collector.SecondPass = true;
            collector.LinkedIds = previousIds;
            collector.TraceIds = traceIds;
            progress?.Restart("joining");
            ReadAll(inputs.Files, readStdin: false, env, again, collector, ReadSelection.Containing(needles), progress);
            progress?.Clear();
        }

        var joined = SpanJoin.ByFlow(collector.Spans, collector.Records);
        var records = collector.Records.Concat(joined.Where(p => p.Key.StartsWith(id, StringComparison.OrdinalIgnoreCase)).SelectMany(p => SpanJoin.ToRecords(p.Key, p.Value))).ToList();
        var flows = FlowBuilder.BuildAll(records);
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

        var flow = match.Flow;
        var linkedFlows = FlowBuilder.BuildAll(collector.Linked.Concat(joined.Where(p => !p.Key.StartsWith(id, StringComparison.OrdinalIgnoreCase) && collector.Linked.Any(r => r.CorrelationId == p.Key)).SelectMany(p => SpanJoin.ToRecords(p.Key, p.Value))));
        var links = Links(flow, linkedFlows);
        var renderer = new TextRenderer(options.Color ?? env.ColorByDefault);
        renderer.RenderFlow(flow, env.Out);
        renderer.RenderLinks(flow, links, env.Out);
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

                File.WriteAllText(path, HtmlRenderer.Render(flow, links), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                env.Error.WriteLine($"{Name}: wrote {options.HtmlPath}");

                // Each linked flow read gets its page beside this one, named after its ID, which the links point to.
                foreach (var linked in linkedFlows)
                {
                    var linkedPath = Path.Combine(directory ?? string.Empty, HtmlRenderer.PageName(linked.CorrelationId));
                    File.WriteAllText(linkedPath, HtmlRenderer.Render(linked, Links(linked, [flow])), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                    env.Error.WriteLine($"{Name}: wrote {Path.GetRelativePath(env.CurrentDirectory, linkedPath)} (linked flow)");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                env.Error.WriteLine($"{Name}: cannot write {options.HtmlPath}: {Display.Clean(ex.Message)}");
                return ExitCodes.NotFound;
            }
        }

        return ExitCodes.Ok;
    }

    /// <summary>The flows linked to <paramref name="flow"/>: its previous flows (read or not), and the flows started from it.</summary>
    private static List<FlowLink> Links(Flow flow, IReadOnlyList<Flow> others)
    {
        var links = new List<FlowLink>();
        foreach (var previous in flow.PreviousCorrelationIds)
        {
            var found = others.FirstOrDefault(f => string.Equals(f.CorrelationId, previous, StringComparison.OrdinalIgnoreCase));
            links.Add(new FlowLink(LinkDirection.Previous, previous, found is null ? null : FlowSummary.Of(found)));
        }

        foreach (var next in others.Where(f => f.PreviousCorrelationIds.Contains(flow.CorrelationId, StringComparer.OrdinalIgnoreCase)))
        {
            links.Add(new FlowLink(LinkDirection.Next, next.CorrelationId, FlowSummary.Of(next)));
        }

        return links;
    }

    private static void ReadAll(IReadOnlyList<string> files, bool readStdin, CommandEnvironment env, LogReader reader, IRecordSink sink, ReadSelection selection, ProgressLine? progress)
    {
        if (progress is not null)
        {
            progress.StartInput(reader.Statistics.Bytes);
            reader.Progress = progress.Report;
        }

        foreach (var file in files)
        {
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
                reader.Read(stream, Path.GetRelativePath(env.CurrentDirectory, file), Path.GetFileNameWithoutExtension(file), sink, selection);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                env.Error.WriteLine($"{Name}: cannot read {Display.Clean(file)}: {Display.Clean(ex.Message)}");
            }
        }

        if (readStdin && env.OpenStdin is not null)
        {
            using var stream = env.OpenStdin();
            reader.Read(stream, "stdin", null, sink, selection);
        }
    }

    private static long SafeLength(string file)
    {
        try
        {
            return new FileInfo(file).Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
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
            details.Add(string.Create(CultureInfo.InvariantCulture, $"{statistics.TooLong} longer than {LogLineParser.DefaultMaxLineLength / (1024 * 1024)} MiB"));
        }

        var suffix = details.Count == 0 ? string.Empty : " (" + string.Join("; ", details) + ")";
        var inputs = statistics.InputsWithMalformed;
        error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Name}: skipped {statistics.Malformed} unreadable line{(statistics.Malformed == 1 ? string.Empty : "s")} in {inputs} input{(inputs == 1 ? string.Empty : "s")}{suffix}"));
    }
}
