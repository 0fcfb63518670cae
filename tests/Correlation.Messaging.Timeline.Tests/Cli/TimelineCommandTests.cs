using System.Text;
using Correlation.Messaging.Timeline.Cli;
using static Correlation.Messaging.Timeline.Tests.LogLines;

namespace Correlation.Messaging.Timeline.Tests.Cli;

public sealed class TimelineCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("corr-timeline-cli-").FullName;
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private int Run(string? stdin, params string[] args)
    {
        Func<Stream>? openStdin = stdin is null ? null : () => new MemoryStream(Encoding.UTF8.GetBytes(stdin));
        return TimelineCommand.Run(args, new CommandEnvironment(_out, _error, openStdin, _root, ColorByDefault: false));
    }

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    [Fact]
    public void Run_WithoutId_ListsFlowsAndExitsZero()
    {
        Write("a.log", Flat(0, "flow-1", "api", "x"), Flat(500, "flow-2", "api", "y"));

        Run(null, "a.log").ShouldBe(ExitCodes.Ok);

        _out.ToString().ShouldContain("flow-1");
        _out.ToString().ShouldContain("flow-2");
        _error.ToString().ShouldBeEmpty();
    }

    [Fact]
    public void Run_WithId_PrintsTheFlowFromSeveralFiles()
    {
        Write("api.log", Flat(0, "flow-1", "api", "POST /orders"), Flat(1, "other", "api", "noise"));
        Write("worker.log", Flat(10, "flow-1", "worker", "consume", messageId: "m1"));

        Run(null, "api.log", "worker.log", "--id", "flow-1").ShouldBe(ExitCodes.Ok);

        var text = _out.ToString();
        text.ShouldContain("POST /orders");
        text.ShouldContain("consume");
        text.ShouldNotContain("noise");
    }

    [Fact]
    public void Run_MalformedLines_AreCountedOnStderrAndTheRestIsShown()
    {
        Write("mixed.log", "garbage", Flat(0, "flow-1", "api", "ok line"), "{\"half\":", "[]", """{"correlation_id":"flow-1"}""");

        Run(null, "mixed.log").ShouldBe(ExitCodes.Ok);

        _error.ToString().ShouldContain("skipped 3 unreadable lines in 1 input");
        _error.ToString().ShouldContain("1 line has no timestamp: ordered by causation");
        _out.ToString().ShouldContain("flow-1");
    }

    [Fact]
    public void Run_WithId_CountsTheUnreadableLinesThatHoldTheId()
    {
        // With --id only the lines holding the ID are parsed: a truncated line of the flow is counted, other garbage is not looked at.
        Write("a.log", "garbage", Flat(0, "flow-1", "api", "ok line"), """{"correlation_id":"flow-1","message":"trunc""");
        Write("b.log", Flat(1, "flow-1", "worker", "second"), "{\"correlation_id\":\"flow-1\",\u0001\u0002");

        Run(null, "a.log", "b.log", "--id=flow-1").ShouldBe(ExitCodes.Ok);

        _error.ToString().ShouldContain("skipped 2 unreadable lines in 2 inputs");
        _out.ToString().ShouldContain("ok line");
        _out.ToString().ShouldContain("second");
    }

    [Fact]
    public void Run_UnknownId_ExitsOne()
    {
        Write("a.log", Flat(0, "flow-1", "api", "x"));

        Run(null, "a.log", "--id", "nope").ShouldBe(ExitCodes.NotFound);

        _error.ToString().ShouldContain("no flow with correlation ID 'nope'");
    }

    [Fact]
    public void Run_AmbiguousPrefix_ExitsOneAndListsCandidates()
    {
        Write("a.log", Flat(0, "flow-1", "api", "x"), Flat(0, "flow-2", "api", "x"));

        Run(null, "a.log", "-i", "flow").ShouldBe(ExitCodes.NotFound);

        _error.ToString().ShouldContain("flow-1");
        _error.ToString().ShouldContain("flow-2");
    }

    [Fact]
    public void Run_NoFlowsInTheInput_ExitsOne()
    {
        Write("empty.log", """{"time":"2026-11-21T23:59:01Z","message":"no correlation"}""");

        Run(null, "empty.log").ShouldBe(ExitCodes.NotFound);

        _error.ToString().ShouldContain("no flows found");
    }

    [Fact]
    public void Run_MissingFile_ExitsOne()
    {
        Run(null, "missing.log").ShouldBe(ExitCodes.NotFound);

        _error.ToString().ShouldContain("no such file");
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--id")]
    [InlineData("--limit", "0")]
    [InlineData("--limit", "many")]
    [InlineData("a.log", "--html", "out.html")]
    public void Run_UsageErrors_ExitTwo(params string[] args)
    {
        Run(null, args).ShouldBe(ExitCodes.Usage);

        _error.ToString().ShouldContain("--help");
    }

    [Fact]
    public void Run_NoArgumentsAndNoPipedInput_ExitsTwo() => Run(null).ShouldBe(ExitCodes.Usage);

    [Fact]
    public void Run_Help_ExitsZero()
    {
        Run(null, "--help").ShouldBe(ExitCodes.Ok);

        _out.ToString().ShouldContain("Usage:");
    }

    [Fact]
    public void Run_Stdin_IsReadWhenNoFilesAreGivenOrForDash()
    {
        var input = Flat(0, "piped", "api", "from stdin") + "\n";

        Run(input, "--id", "piped").ShouldBe(ExitCodes.Ok);
        _out.ToString().ShouldContain("from stdin");

        Write("a.log", Flat(5, "piped", "worker", "from file", messageId: "m"));
        Run(input, "a.log", "-", "--id", "piped").ShouldBe(ExitCodes.Ok);
        _out.ToString().ShouldContain("from file");
    }

    [Fact]
    public void Run_DirectoryAndGlob_AreExpanded()
    {
        Write("logs/api.log", Flat(0, "flow-1", "api", "api line"));
        Write("logs/deep/worker.jsonl", Flat(5, "flow-1", "worker", "worker line", messageId: "m"));

        Run(null, "logs", "--id", "flow-1").ShouldBe(ExitCodes.Ok);
        _out.ToString().ShouldContain("worker line");

        _out.GetStringBuilder().Clear();
        Run(null, "logs/**/*.jsonl", "--id", "flow-1").ShouldBe(ExitCodes.Ok);
        _out.ToString().ShouldContain("worker line");
        _out.ToString().ShouldNotContain("api line");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Run_NoServiceField_NamesServicesAfterTheirFilesNotCategories(bool serviceFromFileFlag)
    {
        Write("billing.log", """{"Timestamp":"2026-11-21T23:59:01.000Z","Category":"Billing.Handlers.Invoice","Message":"invoiced","Scopes":[{"correlation_id":"c"}]}""");

        Run(null, serviceFromFileFlag ? ["billing.log", "--id", "c", "--service-from-file"] : ["billing.log", "--id", "c"]).ShouldBe(ExitCodes.Ok);

        _out.ToString().ShouldContain(" billing ");
        _out.ToString().ShouldNotContain("Billing.Handlers.Invoice");
    }

    [Fact]
    public void Run_ServiceFromCategory_NamesServicesAfterCategories()
    {
        Write("billing.log", """{"Timestamp":"2026-11-21T23:59:01.000Z","Category":"Billing.Handlers.Invoice","Message":"invoiced","Scopes":[{"correlation_id":"c"}]}""");

        Run(null, "billing.log", "--id", "c", "--service-from-category").ShouldBe(ExitCodes.Ok);

        _out.ToString().ShouldContain("Billing.Handlers.Invoice");
    }

    [Fact]
    public void Run_Html_WritesTheFlowPage()
    {
        Write("a.log", Flat(0, "flow-1", "api", "x"), Flat(10, "flow-1", "worker", "y", messageId: "m"));

        Run(null, "a.log", "--id", "flow-1", "--html", "out/flow.html").ShouldBe(ExitCodes.Ok);

        var html = File.ReadAllText(Path.Combine(_root, "out", "flow.html"));
        html.ShouldContain("<svg");
        html.ShouldContain("flow-1");
        _error.ToString().ShouldContain("wrote out/flow.html");
    }
}
