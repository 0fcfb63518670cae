using System.Text.Json;
using Correlation.Messaging.Timeline.Cli;
using Correlation.Messaging.Timeline.Flows;
using Correlation.Messaging.Timeline.Input;

namespace Correlation.Messaging.Timeline.Tests;

/// <summary>
/// Reads TestData/demo-real/: the four log files one real run of <c>eng/demo.sh</c> wrote (orders-api → MassTransit over
/// RabbitMQ → orders-worker → Kafka, one record per order line → inventory-service → SQS → fulfilment-worker), three
/// orders: 1001 with the client-chosen ID demo-order-1001 (3 lines; orders-worker fails its first attempt and
/// MassTransit retries it), 1002 without an ID (2 lines), 1003 with an invalid ID that the API replaced (1 line).
/// </summary>
public sealed class DemoRealLogsTests
{
    private const string Directory = "demo-real";
    private const string RetriedOrder = "demo-order-1001";
    private static readonly string[] Services = ["orders-api", "orders-worker", "inventory-service", "fulfilment-worker"];

    private static (IReadOnlyList<Flow> Flows, ReadStatistics Statistics) Read()
    {
        var reader = new LogReader(new LogLineParser());
        var records = new List<LogRecord>();
        foreach (var service in Services)
        {
            var file = $"{service}.log";
            using var text = File.OpenText(LogLines.TestDataPath(Path.Combine(Directory, file)));
            reader.Read(text, file, service, records);
        }

        return (FlowBuilder.BuildAll(records), reader.Statistics);
    }

    [Fact]
    public void DemoRealLogs_EveryLine_IsJsonWithTheServiceOfItsFile()
    {
        foreach (var service in Services)
        {
            var lines = File.ReadAllLines(LogLines.TestDataPath(Path.Combine(Directory, $"{service}.log")));
            lines.ShouldNotBeEmpty();
            foreach (var line in lines)
            {
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                root.GetProperty("Timestamp").GetString().ShouldEndWith("Z");
                var scopes = root.GetProperty("Scopes").EnumerateArray().ToList();
                scopes.Count(s => s.TryGetProperty("service", out _)).ShouldBe(1, line);
                scopes[0].GetProperty("service").GetString().ShouldBe(service, line);
            }
        }
    }

    [Fact]
    public void DemoRealLogs_ThreeOrders_ThreeFlowsAndNoMalformedLine()
    {
        var (flows, statistics) = Read();

        statistics.Malformed.ShouldBe(0);
        statistics.WithoutCorrelationId.ShouldBeGreaterThan(0); // start-up, bus and "Service ready" lines
        flows.Count.ShouldBe(3);
        flows.ShouldAllBe(f => f.Services.Count == 4 && f.Handlings.All(h => !h.CauseMissing) && !f.Skewed.Any());
        flows.Single(f => f.CorrelationId == RetriedOrder).Status.ShouldBe(FlowStatus.RetriedThenOk);
        flows.Where(f => f.CorrelationId != RetriedOrder).ShouldAllBe(f => f.Status == FlowStatus.Ok);
    }

    [Fact]
    public void DemoRealLogs_RetriedOrder_CrossesFourServicesFansOutAndRetriesOnce()
    {
        var flow = Read().Flows.Single(f => f.CorrelationId == RetriedOrder);

        flow.Services.ShouldBe(Services);
        flow.Status.ShouldBe(FlowStatus.RetriedThenOk);
        flow.MessageCount.ShouldBe(8); // the HTTP request, OrderPlaced, 3 Kafka records, 3 SQS messages

        // HTTP request (its TraceIdentifier is the message ID) → OrderPlaced → 3 order lines → 1 shipment each.
        var request = flow.Roots.ShouldHaveSingleItem();
        request.Service.ShouldBe("orders-api");
        request.MessageId.ShouldNotBeNull();
        var consumer = request.Children.ShouldHaveSingleItem();
        consumer.Service.ShouldBe("orders-worker");
        consumer.CausationId.ShouldBe(request.MessageId);
        consumer.Children.Count.ShouldBe(3);
        consumer.Children.ShouldAllBe(c => c.Service == "inventory-service" && c.CausationId == consumer.MessageId);
        consumer.Children.ShouldAllBe(c => c.Children.Count == 1 && c.Children[0].Service == "fulfilment-worker");

        // The retry: MassTransit's own R-RETRY line is inside the consumer's scope, then the second attempt succeeds.
        var retried = flow.Handlings.Where(h => h.Outcome == HandlingOutcome.Retried).ShouldHaveSingleItem();
        retried.ShouldBeSameAs(consumer);
        retried.Retries.ShouldBe(1);
        retried.Failures.ShouldBe(1);
        var retryLine = retried.Records.Single(r => r.IsFailure);
        retryLine.Category.ShouldBe("MassTransit.ReceiveTransport");
        retryLine.Message.ShouldStartWith("R-RETRY ");
        retryLine.Exception.ShouldNotBeNull().ShouldContain("simulated transient failure");
        retried.Records.ShouldContain(r => r.RetryNumber == 1 && r.Message.Contains("(attempt 2)"));
        retried.Records[^1].Message.ShouldBe("Fanned out order 1001 into 3 order lines");

        // Every order line ends completed.
        var completions = flow.Records.Where(r => r.IsCompletion).ToList();
        completions.Count.ShouldBe(3);
        completions.ShouldAllBe(r => r.Service == "fulfilment-worker" && r.Status == "completed");
        completions.Select(r => r.Message).Order().ShouldBe(
            ["Order line 1001-1 completed (order 1001)", "Order line 1001-2 completed (order 1001)", "Order line 1001-3 completed (order 1001)"]);
    }

    [Fact]
    public void DemoRealLogs_InvalidInboundId_FlowStartsWithTheReplacement()
    {
        var flows = Read().Flows;

        // The API replaced "<script>alert(1)</script>"; Core's warning names the new ID, so it opens that flow.
        var replaced = flows.Single(f => f.Records.Any(r => r.Message.Contains("was invalid (DisallowedCharacter); replaced with", StringComparison.Ordinal)));
        replaced.Records[0].Service.ShouldBe("orders-api");
        replaced.Records[0].Message.ShouldContain(replaced.CorrelationId);
        replaced.Records.Count(r => r.IsCompletion).ShouldBe(1);   // order 1003: one line

        var generated = flows.Single(f => f.CorrelationId != RetriedOrder && f != replaced);
        Guid.TryParse(generated.CorrelationId, out _).ShouldBeTrue();
        generated.Records.Count(r => r.IsCompletion).ShouldBe(2);  // order 1002: two lines
    }

    [Fact]
    public void DemoRealLogs_ThroughTheCommand_PrintsTheRetriedFlow()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new CommandEnvironment(output, error, null, AppContext.BaseDirectory, ColorByDefault: false);

        TimelineCommand.Run([Path.Combine("TestData", Directory), "--id", RetriedOrder], environment).ShouldBe(ExitCodes.Ok);

        var text = output.ToString();
        text.ShouldContain("Flow demo-order-1001  retried-then-ok");
        text.ShouldContain("4 services · 8 messages");
        text.ShouldContain("R-RETRY rabbitmq://");
        text.ShouldContain("↻ retried 1× (1 failure)");
        error.ToString().ShouldBeEmpty();
    }
}
