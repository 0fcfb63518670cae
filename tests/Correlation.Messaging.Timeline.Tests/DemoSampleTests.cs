using Correlation.Messaging.Timeline.Cli;
using Correlation.Messaging.Timeline.Flows;
using Correlation.Messaging.Timeline.Input;

namespace Correlation.Messaging.Timeline.Tests;

/// <summary>
/// Reads TestData/demo-sample.log: the Microsoft JSON console output of the demo's order flow (HTTP API → MassTransit
/// over RabbitMQ → Kafka fan-out → SQS → completion, one fulfilment failing once and being redelivered), three orders.
/// </summary>
public sealed class DemoSampleTests
{
    private const string RetriedOrder = "47eaa099-2cb6-416d-86dc-283cf0480ff9";

    private static (IReadOnlyList<Flow> Flows, ReadStatistics Statistics) Read()
    {
        var reader = new LogReader(new LogLineParser());
        var records = new List<LogRecord>();
        using (var text = File.OpenText(LogLines.TestDataPath("demo-sample.log")))
        {
            reader.Read(text, "demo-sample.log", "demo-sample", records);
        }

        return (FlowBuilder.BuildAll(records), reader.Statistics);
    }

    [Fact]
    public void DemoSample_HasNoMalformedLinesAndThreeOrders()
    {
        var (flows, statistics) = Read();

        statistics.Malformed.ShouldBe(0);
        statistics.WithoutCorrelationId.ShouldBeGreaterThan(0); // start-up and request lines outside the scope
        flows.Count.ShouldBe(3);
        flows.Count(f => f.Status == FlowStatus.Ok).ShouldBe(2);
    }

    [Fact]
    public void DemoSample_RetriedOrder_HasTheWholeStory()
    {
        var flow = Read().Flows.Single(f => f.CorrelationId == RetriedOrder);

        flow.Services.ShouldBe(["orders-api", "orders-worker", "inventory-service", "fulfilment-worker"]);
        flow.Status.ShouldBe(FlowStatus.RetriedThenOk);
        flow.MessageCount.ShouldBe(7);

        // The API (no message ID) and the OrderPlaced consumer are the roots; the consumer fans out three order lines,
        // each of which leads to one SQS fulfilment.
        flow.Roots.Select(r => r.Service).ShouldBe(["orders-api", "orders-worker"]);
        var consumer = flow.Roots[1];
        consumer.Children.Count.ShouldBe(3);
        consumer.Children.ShouldAllBe(c => c.Service == "inventory-service" && c.Children.Count == 1 && c.Children[0].Service == "fulfilment-worker");
        var retried = flow.Handlings.Where(h => h.Outcome == HandlingOutcome.Retried).ShouldHaveSingleItem();
        retried.Service.ShouldBe("fulfilment-worker");
        retried.Retries.ShouldBe(1);
        retried.Records[^1].IsCompletion.ShouldBeTrue();
        flow.Skewed.ShouldBeEmpty();
        flow.Handlings.ShouldAllBe(h => !h.CauseMissing);
    }

    [Fact]
    public void DemoSample_ThroughTheCommand_PrintsTheFlow()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new CommandEnvironment(output, error, null, AppContext.BaseDirectory, ColorByDefault: false);

        TimelineCommand.Run(["TestData/demo-sample.log", "--id", RetriedOrder[..8]], environment).ShouldBe(ExitCodes.Ok);

        output.ToString().ShouldContain("retried-then-ok");
        output.ToString().ShouldContain("↻ retried 1× (1 failure)");
        error.ToString().ShouldBeEmpty();
    }
}
