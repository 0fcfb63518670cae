using System.Text;
using Correlation.Messaging.Timeline.Cli;
using Correlation.Messaging.Timeline.Flows;
using Correlation.Messaging.Timeline.Input;
using Correlation.Messaging.Timeline.Rendering;
using static Correlation.Messaging.Timeline.Tests.LogLines;

namespace Correlation.Messaging.Timeline.Tests.Flows;

/// <summary>The flow metadata of the logging scope (correlation_depth, correlation_origin, previous_correlation_id) in the timeline.</summary>
public sealed class FlowMetadataTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("corr-timeline-meta-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>
    /// An HTTP edge (depth 0) calls a pricing service over HTTP (depth 1, no message ID: no causation), which publishes a
    /// message handled by a worker (depth 2). The pricing service's clock is 400 ms behind, the worker's 900 ms.
    /// </summary>
    private static string[] SkewedLines(bool withDepth)
    {
        (string Key, object? Value)[] Depth(int d) => withDepth ? [("correlation_depth", d), ("correlation_origin", "edge-api")] : [];
        return
        [
            Flat(0, "skew-1", "edge-api", "Received POST /quotes", extra: Depth(0)),
            Flat(-400 + 5, "skew-1", "pricing", "Pricing quote Q-7", extra: Depth(1)),
            Flat(-400 + 9, "skew-1", "pricing", "Published QuoteReady", extra: Depth(1)),
            Flat(-900 + 20, "skew-1", "worker", "Consuming QuoteReady", messageId: "m-1", extra: Depth(2)),
            Flat(30, "skew-1", "edge-api", "Responded 200", extra: Depth(0)),
        ];
    }

    [Fact]
    public void Build_SkewedClocksWithHopDepth_OrdersTheTimelineByDepth()
    {
        var flow = Flow(SkewedLines(withDepth: true));

        // Each hop starts after its cause's first line: edge (0), then pricing (1), then the worker (2); the edge's
        // response stays last on its own clock.
        var steps = flow.Records.Select(r => r.Step).ToList();
        steps[0].ShouldBe("Received POST /quotes");
        steps.IndexOf("Pricing quote Q-7").ShouldBe(1);
        steps.IndexOf("Consuming QuoteReady").ShouldBeGreaterThan(steps.IndexOf("Pricing quote Q-7"));
        steps[^1].ShouldBe("Responded 200");
        flow.ClockShifts.Keys.Order(StringComparer.Ordinal).ShouldBe(["pricing", "worker"]);
        flow.Origin.ShouldBe("edge-api");
        var text = new StringWriter();
        new TextRenderer().RenderFlow(flow, text);
        text.ToString().ShouldContain("clocks disagree: pricing");
        text.ToString().ShouldContain("began in edge-api");
    }

    [Fact]
    public void Build_SkewedClocksWithoutHopDepth_FollowsTheClocks()
    {
        // The failing twin: without correlation_depth nothing orders the HTTP hops, and the skewed clocks win.
        var flow = Flow(SkewedLines(withDepth: false));

        flow.Records[0].Step.ShouldBe("Consuming QuoteReady");
        flow.ClockShifts.ShouldBeEmpty();
    }

    [Fact]
    public void Build_HopsWithoutMessageIds_AreAttachedByDepth()
    {
        var flow = Flow(SkewedLines(withDepth: true));

        var pricing = flow.Handlings.Single(h => h.Service == "pricing");
        pricing.Parent.ShouldNotBeNull().Service.ShouldBe("edge-api");
        flow.Handlings.Single(h => h.Service == "worker").Parent.ShouldBeSameAs(pricing);
    }

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_root, name);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    [Fact]
    public void Run_FlowStartedFromAnOlderFlow_ListsThePreviousFlowAndLinksToItsPage()
    {
        // A nightly batch (a new flow) started from the order flow: the older flow is found by a second pass.
        Write("orders.log", Flat(0, "order-flow-1", "orders-api", "Placing order 1001"), Flat(5, "order-flow-1", "orders-worker", "Order 1001 accepted", messageId: "m1"));
        Write("batch.log",
            Flat(60_000, "batch-flow-9", "billing-job", "Invoicing order 1001", extra: [("previous_correlation_id", "order-flow-1")]),
            Flat(60_010, "batch-flow-9", "billing-job", "Invoice sent", extra: [("previous_correlation_id", "order-flow-1")]));
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = TimelineCommand.Run(["orders.log", "batch.log", "--id", "batch-flow-9", "--html", "out/batch.html"], new CommandEnvironment(output, error, null, _root, ColorByDefault: false));

        exit.ShouldBe(ExitCodes.Ok, error.ToString());
        output.ToString().ShouldContain("Linked flows");
        output.ToString().ShouldContain("previous  order-flow-1");
        output.ToString().ShouldContain("2 lines");
        var page = File.ReadAllText(Path.Combine(_root, "out", "batch.html"));
        page.ShouldContain("href=\"flow-order-flow-1.html\"");
        var previousPage = File.ReadAllText(Path.Combine(_root, "out", "flow-order-flow-1.html"));
        previousPage.ShouldContain("Placing order 1001");
        previousPage.ShouldContain("href=\"flow-batch-flow-9.html\""); // and back: the older flow lists the newer one as next
    }

    [Fact]
    public void Run_OlderFlow_ListsTheFlowsStartedFromIt()
    {
        Write("orders.log", Flat(0, "order-flow-1", "orders-api", "Placing order 1001"));
        Write("batch.log", Flat(60_000, "batch-flow-9", "billing-job", "Invoicing order 1001", extra: [("previous_correlation_id", "order-flow-1")]));
        var output = new StringWriter();

        TimelineCommand.Run(["orders.log", "batch.log", "--id", "order-flow-1"], new CommandEnvironment(output, new StringWriter(), null, _root, ColorByDefault: false)).ShouldBe(ExitCodes.Ok);

        output.ToString().ShouldContain("next      batch-flow-9");
    }

    [Fact]
    public void FlowSummaries_DemoSample_EqualTheSummariesOfTheBuiltFlows()
    {
        var reader = new LogReader(new LogLineParser());
        var summaries = new FlowSummaries(reader.NextSequence);
        using (var stream = File.OpenRead(TestDataPath("demo-sample.log")))
        {
            reader.Read(stream, "demo-sample.log", "demo-sample", summaries, ReadSelection.All);
        }

        var records = new List<LogRecord>();
        new LogReader(new LogLineParser()).Read(new StreamReader(TestDataPath("demo-sample.log"), Encoding.UTF8), "demo-sample.log", "demo-sample", records);
        var expected = FlowBuilder.BuildAll(records).Select(FlowSummary.Of).ToList();

        summaries.Build().ShouldBe(expected);
    }
}
