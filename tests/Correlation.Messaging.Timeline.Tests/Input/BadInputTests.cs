using System.Text;
using Correlation.Messaging.Timeline.Cli;
using static Correlation.Messaging.Timeline.Tests.LogLines;

namespace Correlation.Messaging.Timeline.Tests.Input;

/// <summary>Input that is not what a log should be never stops the tool: it is counted, and the rest is read.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("corr-timeline-bad-").FullName;
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private int Run(params string[] args) => TimelineCommand.Run(args, new CommandEnvironment(_out, _error, null, _root, ColorByDefault: false));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Run_ThirtyMegabytesOfRandomBytesBetweenGoodLines_ReadsTheGoodLines(bool byId)
    {
        var random = new Random(30);
        var garbage = new byte[30 * 1024 * 1024];
        random.NextBytes(garbage);
        using (var file = File.Create(Path.Combine(_root, "random.log")))
        {
            file.Write(Encoding.UTF8.GetBytes(Flat(0, "flow-r", "api", "before the garbage") + "\n"));
            file.Write(garbage);
            file.Write(Encoding.UTF8.GetBytes("\n" + Flat(5, "flow-r", "worker", "after the garbage", messageId: "m1") + "\n"));
        }

        var exit = byId ? Run("random.log", "--id", "flow-r") : Run("random.log");

        exit.ShouldBe(ExitCodes.Ok, _error.ToString());
        _out.ToString().ShouldContain(byId ? "after the garbage" : "flow-r");
        if (!byId)
        {
            _error.ToString().ShouldContain("unreadable lines in 1 input");
        }
    }

    [Fact]
    public void Run_HundredMegabyteSingleLine_IsSkippedAndCountedAndTheNextLineIsRead()
    {
        using (var file = File.Create(Path.Combine(_root, "huge.log")))
        {
            file.Write(Encoding.UTF8.GetBytes(Flat(0, "flow-h", "api", "first") + "\n{\"correlation_id\":\"flow-h\",\"message\":\""));
            var chunk = Encoding.ASCII.GetBytes(new string('x', 1024 * 1024));
            for (var i = 0; i < 100; i++)
            {
                file.Write(chunk);
            }

            file.Write(Encoding.UTF8.GetBytes("\"}\n" + Flat(5, "flow-h", "api", "last") + "\n"));
        }

        Run("huge.log", "--id", "flow-h").ShouldBe(ExitCodes.Ok, _error.ToString());

        _out.ToString().ShouldContain("first");
        _out.ToString().ShouldContain("last");
        _error.ToString().ShouldContain("skipped 1 unreadable line in 1 input (1 longer than 16 MiB)");
    }

    [Fact]
    public void Run_MixedEncodings_Utf16FileAndLatin1LineAreRead()
    {
        File.WriteAllText(Path.Combine(_root, "utf16.log"), Flat(0, "flow-e", "api", "from UTF-16 é") + "\n", Encoding.Unicode);
        var latin1 = Encoding.Latin1.GetBytes(Flat(5, "flow-e", "worker", "café in Latin-1", messageId: "m1") + "\n");
        File.WriteAllBytes(Path.Combine(_root, "latin1.log"), [.. Encoding.UTF8.GetBytes(Flat(3, "flow-e", "worker", "utf-8 line ü", messageId: "m1") + "\n"), .. latin1]);

        Run("utf16.log", "latin1.log").ShouldBe(ExitCodes.Ok, _error.ToString());
        _out.ToString().ShouldContain("flow-e");
        _out.ToString().ShouldContain("   3  "); // 3 lines: the UTF-16 one, the UTF-8 one, the Latin-1 one

        _out.GetStringBuilder().Clear();
        Run("utf16.log", "latin1.log", "--id", "flow-e").ShouldBe(ExitCodes.Ok, _error.ToString());
        _out.ToString().ShouldContain("from UTF-16 é");
        _out.ToString().ShouldContain("café in Latin-1");
    }

    [Fact]
    public void Run_MalformedJsonOfEveryKind_NeverCrashes()
    {
        Write("broken.log",
            "{", "}", "{]", "{\"correlation_id\":}", "{\"correlation_id\":\"x\"", "{\"a\":" + new string('[', 5000), "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":1}]}]}]}",
            "{\"resourceLogs\":\"nope\"}", "{\"hits\":{\"hits\":[1,2,{\"_source\":3}]}}", "{\"line\":\"{broken\",\"labels\":{}}", "{\"events\":[{\"message\":7}]}",
            "{\"correlation_id\":{\"nested\":true},\"timestamp\":[1]}", "\u0000\u0001{\"x\":1}", Flat(0, "flow-m", "api", "the good one"));

        Run("broken.log").ShouldBe(ExitCodes.Ok, _error.ToString());
        _out.ToString().ShouldContain("flow-m");
        _error.ToString().ShouldContain("unreadable line");
    }

    private void Write(string name, params string[] lines) => File.WriteAllText(Path.Combine(_root, name), string.Join('\n', lines) + "\n");
}
