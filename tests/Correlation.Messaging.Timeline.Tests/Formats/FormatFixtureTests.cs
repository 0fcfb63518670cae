using Correlation.Messaging.Timeline.Cli;
using Correlation.Messaging.Timeline.Flows;
using Correlation.Messaging.Timeline.Input;
using Correlation.Messaging.Timeline.Traces;

namespace Correlation.Messaging.Timeline.Tests.Formats;

/// <summary>
/// The demo flow written by each logging library in its format, read back: the same causation tree comes out of every
/// format, found without any format flag.
/// </summary>
public sealed class FormatFixtureTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "corr-timeline-formats-" + Guid.NewGuid().ToString("N")[..8]);

    public static TheoryData<string> Formats => new(FormatWriters.Formats);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    internal static Flow ReadFlow(string directory)
    {
        var reader = new LogReader(new LogLineParser());
        var records = new List<LogRecord>();
        var spans = new List<SpanRecord>();
        var sink = new ListSink(reader, records, spans);
        foreach (var file in Directory.GetFiles(directory).Order(StringComparer.Ordinal))
        {
            using var stream = File.OpenRead(file);
            reader.Read(stream, Path.GetFileName(file), Path.GetFileNameWithoutExtension(file), sink, ReadSelection.All);
        }

        reader.Statistics.Malformed.ShouldBe(0);
        var joined = SpanJoin.ByFlow(spans, records);
        var all = records.Concat(joined.SelectMany(p => SpanJoin.ToRecords(p.Key, p.Value)));
        var flows = FlowBuilder.BuildAll(all);
        return flows.ShouldHaveSingleItem();
    }

    internal static IEnumerable<(string Handling, string? Parent, bool Retried)> Tree(Flow flow) => flow.Handlings
        .Select(h => (Key(h), h.Parent is null ? null : Key(h.Parent), h.Outcome == HandlingOutcome.Retried))
        .OrderBy(t => t.Item1, StringComparer.Ordinal);

    private static string Key(MessageHandling h) => h.Service + "/" + (h.MessageId is { } id && !id.StartsWith("span:", StringComparison.Ordinal) ? id : "-");

    [Theory]
    [MemberData(nameof(Formats))]
    public void Read_DemoFlowWrittenByTheRealLibrary_GivesTheSameCausationTree(string format)
    {
        var directory = Path.Combine(_root, format);
        FormatWriters.Write(format, directory);

        var flow = ReadFlow(directory);

        flow.CorrelationId.ShouldBe(DemoFlow.CorrelationId);
        Tree(flow).ShouldBe(DemoFlow.ExpectedTree.OrderBy(t => t.Handling, StringComparer.Ordinal), format);
        flow.Status.ShouldBe(FlowStatus.RetriedThenOk);
        flow.Services.Order(StringComparer.Ordinal).ShouldBe(DemoFlow.Services.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Run_DemoFlowInEachFormat_FindsTheFlowByIdWithoutAFormatFlag(string format)
    {
        var directory = Path.Combine(_root, format);
        FormatWriters.Write(format, directory);
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = TimelineCommand.Run([directory, "--id", DemoFlow.CorrelationId[..8]], new CommandEnvironment(output, error, null, _root, ColorByDefault: false));

        exit.ShouldBe(ExitCodes.Ok, error.ToString());
        output.ToString().ShouldContain("fulfilment-worker");
        output.ToString().ShouldContain("retried");
        error.ToString().ShouldNotContain("unreadable");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Read_RandomBytesAppendedToEachFormat_NeverCrashesAndKeepsTheFlow(string format)
    {
        var directory = Path.Combine(_root, format);
        FormatWriters.Write(format, directory);
        var random = new Random(18);
        foreach (var file in Directory.GetFiles(directory))
        {
            var garbage = new byte[200_000];
            random.NextBytes(garbage);
            using var stream = new FileStream(file, FileMode.Append);
            stream.Write("\n"u8);
            stream.Write(garbage);
            stream.Write("\n{\"correlation_id\":\"8d5e0c2a-trunc"u8);
        }

        var output = new StringWriter();
        var error = new StringWriter();
        var exit = TimelineCommand.Run([directory, "--id", DemoFlow.CorrelationId[..8]], new CommandEnvironment(output, error, null, _root, ColorByDefault: false));

        if (format == "elasticsearch")
        {
            // One pretty-printed JSON document: with garbage after it, it is no document; its lines are counted as unreadable.
            exit.ShouldBe(ExitCodes.NotFound, error.ToString());
            error.ToString().ShouldContain("unreadable lines in 1 input");
            return;
        }

        exit.ShouldBe(ExitCodes.Ok, error.ToString());
        output.ToString().ShouldContain("fulfilment-worker");
        error.ToString().ShouldContain("unreadable line");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void FlowSummaries_EachFormat_EqualTheSummaryOfTheBuiltFlow(string format)
    {
        // The flow list streams (no records kept, spans joined by trace ID at the end); it must agree with the full build.
        var directory = Path.Combine(_root, format);
        FormatWriters.Write(format, directory);
        var reader = new LogReader(new LogLineParser());
        var summaries = new FlowSummaries(reader.NextSequence);
        foreach (var file in Directory.GetFiles(directory).Order(StringComparer.Ordinal))
        {
            using var stream = File.OpenRead(file);
            reader.Read(stream, Path.GetFileName(file), Path.GetFileNameWithoutExtension(file), summaries, ReadSelection.All);
        }

        var expected = FlowSummary.Of(ReadFlow(directory));

        var summary = summaries.Build().ShouldHaveSingleItem();
        summary.ShouldBe(expected, format);
    }

    private sealed class ListSink(LogReader reader, List<LogRecord> records, List<SpanRecord> spans) : IRecordSink
    {
        public long NextSequence() => reader.NextSequence();

        public void Add(LogRecord record) => records.Add(record);

        public void Add(SpanRecord span) => spans.Add(span);
    }
}
