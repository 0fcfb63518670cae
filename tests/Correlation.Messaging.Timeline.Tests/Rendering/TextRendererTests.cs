using Correlation.Messaging.Timeline.Flows;
using Correlation.Messaging.Timeline.Rendering;
using static Correlation.Messaging.Timeline.Tests.LogLines;

namespace Correlation.Messaging.Timeline.Tests.Rendering;

public sealed class TextRendererTests
{
    private static string Render(Flow flow)
    {
        var output = new StringWriter();
        new TextRenderer().RenderFlow(flow, output);
        return output.ToString();
    }

    [Fact]
    public void RenderFlow_ShowsTimesDeltasServicesAndSteps()
    {
        var text = Render(Flow(
            Flat(0, "corr-1", "orders-api", "POST /orders"),
            Flat(12, "corr-1", "orders-worker", "Consuming OrderPlaced", messageId: "m1"),
            Flat(1512, "corr-1", "orders-worker", "Consumed", messageId: "m1")));

        text.ShouldContain("Flow corr-1  ok");
        text.ShouldContain("12:00:00.000      +0 ms  orders-api");
        text.ShouldContain("12:00:00.012     +12 ms  orders-worker  m1");
        text.ShouldContain("+1.500 s");
        text.ShouldContain("took 1.512 s · 2 services · 1 message · 3 lines");
    }

    [Fact]
    public void RenderFlow_TreeShowsBranchesMissingCauseAndSkew()
    {
        var text = Render(Flow(
            Flat(100, "c", "worker", "consume", messageId: "m1"),
            Flat(60, "c", "inventory", "line 1", messageId: "k1", causationId: "m1"),
            Flat(120, "c", "inventory", "line 2", messageId: "k2", causationId: "m1"),
            Flat(130, "c", "audit", "orphan", messageId: "a1", causationId: "gone")));

        text.ShouldContain("clock skew ~40 ms: inventory logged k1 before its cause m1 in worker");
        text.ShouldContain("├─ worker  m1  consume");
        text.ShouldContain("│  ├─ inventory  k1  line 1");
        text.ShouldContain("⚠ clock skew ~40 ms");
        text.ShouldContain("│  └─ inventory  k2  line 2");
        text.ShouldContain("└─ audit  a1  orphan");
        text.ShouldContain("(cause not in logs: gone)");
    }

    [Fact]
    public void RenderFlow_FailuresAndRetriesAreMarked()
    {
        var text = Render(Flow(
            Flat(0, "c", "fulfilment", "ship", messageId: "s1"),
            Flat(5, "c", "fulfilment", "carrier failed", messageId: "s1", level: "error", extra: ("exception", "System.TimeoutException: carrier\n   at Stack.Frame()")),
            Flat(900, "c", "fulfilment", "ship", messageId: "s1", extra: ("attempt", 2)),
            Flat(910, "c", "fulfilment", "shipped", messageId: "s1")));

        text.ShouldContain("Flow c  retried-then-ok");
        text.ShouldContain("✗ carrier failed");
        text.ShouldContain("System.TimeoutException: carrier");
        text.ShouldNotContain("Stack.Frame");
        text.ShouldContain("↻ ship");
        text.ShouldContain("↻ retried 1× (1 failure)");
    }

    [Fact]
    public void RenderFlow_LogTextWithControlCharacters_CannotDriveTheTerminal()
    {
        var text = Render(Flow(Flat(0, "c", "svc\u001b[2J", "evil \u001b]0;title\u0007 \u202Ereversed\r\nforged line")));

        text.ShouldNotContain("\u001b");
        text.ShouldNotContain("\u0007");
        text.ShouldNotContain("\u202E");
        text.ShouldNotContain("\r\nforged");
    }

    [Fact]
    public void RenderList_ShowsStatusAndHonoursTheLimit()
    {
        var flows = FlowBuilder.BuildAll(ParseAll(
            Flat(0, "old", "a", "x", messageId: "m"),
            Flat(1, "old", "a", "boom", messageId: "m", level: "error"),
            Flat(100, "mid", "a", "x"),
            Flat(200, "new", "a", "x", messageId: "n"),
            Flat(210, "new", "b", "y", messageId: "n2", causationId: "n")));
        var output = new StringWriter();

        new TextRenderer().RenderList(flows, limit: 2, output);

        var text = output.ToString();
        text.ShouldContain("new");
        text.ShouldContain("mid");
        text.ShouldNotContain("old");
        text.ShouldContain("Showing 2 of 3 flows");
        text.IndexOf("new", StringComparison.Ordinal).ShouldBeLessThan(text.IndexOf("mid", StringComparison.Ordinal));
    }

    [Fact]
    public void RenderList_FailedFlow_SaysFailed()
    {
        var flows = FlowBuilder.BuildAll(ParseAll(Flat(0, "c", "a", "boom", messageId: "m", level: "error")));
        var output = new StringWriter();

        new TextRenderer().RenderList(flows, 10, output);

        output.ToString().ShouldContain(" failed ");
    }

    [Theory]
    [InlineData(0.4, "0 ms")]
    [InlineData(12, "12 ms")]
    [InlineData(999.4, "999 ms")]
    [InlineData(1500, "1.500 s")]
    [InlineData(125_000, "2m 05.0s")]
    public void Duration_IsReadable(double ms, string expected) => Display.Duration(TimeSpan.FromMilliseconds(ms)).ShouldBe(expected);

    [Theory]
    [InlineData("m1", "m1")]
    [InlineData("3f2b8c1e-4d5a-4e8b-9a7c-1b2c3d4e5f60", "…3d4e5f60")]
    public void ShortId_KeepsTheRandomTail(string id, string expected) => Display.ShortId(id).ShouldBe(expected);
}
