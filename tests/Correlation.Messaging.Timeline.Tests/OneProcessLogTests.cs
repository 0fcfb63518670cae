using Correlation.Messaging.Timeline.Cli;
using System.Text;

namespace Correlation.Messaging.Timeline.Tests;

/// <summary>
/// One process writing everything to one log, as a newcomer's first app does: Microsoft's JSON console formatter with
/// scopes but no TimestampFormat, and HttpClient's handler categories among the lines.
/// </summary>
public sealed class OneProcessLogTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("corr-timeline-oneprocess-").FullName;
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    // Written in read order, but causation is not read order: the Kafka handler's line (m3, caused by m2) comes before
    // the line of the MassTransit consumer (m2) that produced it, as two threads' lines interleave.
    private static readonly string[] Lines =
    [
        Line("Microsoft.AspNetCore.Hosting.Diagnostics", "Request starting HTTP/1.1 POST http://localhost/orders", "flow-1", null, null),
        Line("QuickStart.OrderEndpoints", "Placing order 7", "flow-1", null, null),
        Line("System.Net.Http.HttpClient.stock.LogicalHandler", "Start processing HTTP request GET http://stock/7", "flow-1", null, null),
        Line("System.Net.Http.HttpClient.stock.ClientHandler", "Sending HTTP request GET http://stock/7", "flow-1", null, null),
        Line("System.Net.Http.HttpClient.stock.ClientHandler", "Received HTTP response headers after 3ms - 200", "flow-1", null, null),
        Line("QuickStart.BillingHandler", "Billing order 7", "flow-1", "m3", "m2"),
        Line("QuickStart.OrderPlacedConsumer", "Consuming OrderPlaced 7", "flow-1", "m2", "m1"),
        Line("QuickStart.OrderEndpoints", "Publishing OrderPlaced 7", "flow-1", "m1", null),
        Line("QuickStart.ShipmentHandler", "Shipping order 7", "flow-1", "m4", "m3"),
    ];

    private static string Line(string category, string message, string correlationId, string? messageId, string? causationId)
    {
        var scope = new StringBuilder($"\"correlation_id\":\"{correlationId}\"");
        if (messageId is not null)
        {
            scope.Append($",\"message_id\":\"{messageId}\"");
        }

        if (causationId is not null)
        {
            scope.Append($",\"causation_id\":\"{causationId}\"");
        }

        return $$"""{"EventId":0,"LogLevel":"Information","Category":"{{category}}","Message":"{{message}}","State":{"Message":"{{message}}"},"Scopes":[{"Message":"x",{{scope}}}]}""";
    }

    private int Run(params string[] args) =>
        TimelineCommand.Run(args, new CommandEnvironment(_out, _error, null, _root, ColorByDefault: false));

    [Fact]
    public void Run_OneProcessLogWithoutTimestamps_OneServiceLaneAndCausationOrder()
    {
        File.WriteAllLines(Path.Combine(_root, "quickstart.log"), Lines);

        Run("quickstart.log", "--id", "flow-1").ShouldBe(ExitCodes.Ok);

        var text = _out.ToString();
        text.ShouldNotContain("System.Net.Http.HttpClient");
        text.ShouldNotContain("QuickStart.BillingHandler  ");
        _error.ToString().ShouldContain("9 lines have no timestamp: ordered by causation");
        _error.ToString().ShouldNotContain("skipped");
        text.ShouldContain("Timeline (by causation, then read order)");

        // The tree: publish (m1) -> consume (m2) -> billing (m3) -> shipping (m4), whatever the read order.
        var tree = text[text.IndexOf("Causation tree", StringComparison.Ordinal)..];
        var order = new[] { "Publishing OrderPlaced 7", "Consuming OrderPlaced 7", "Billing order 7", "Shipping order 7" }
            .Select(s => tree.IndexOf(s, StringComparison.Ordinal)).ToList();
        order.ShouldAllBe(i => i >= 0);
        order.ShouldBeInOrder(SortDirection.Ascending);
    }

    [Fact]
    public void FlowBuilder_UntimedLines_AreOrderedByCausationThenReadOrder()
    {
        var flow = LogLines.Flow(Lines);

        flow.OrderedByCausation.ShouldBeTrue();
        flow.Services.ShouldBe(["test"]); // the input's name: one lane, never the categories
        flow.Records.Select(r => r.Message).ShouldBe(
        [
            "Request starting HTTP/1.1 POST http://localhost/orders",
            "Placing order 7",
            "Start processing HTTP request GET http://stock/7",
            "Sending HTTP request GET http://stock/7",
            "Received HTTP response headers after 3ms - 200",
            "Publishing OrderPlaced 7",
            "Consuming OrderPlaced 7",
            "Billing order 7",
            "Shipping order 7",
        ]);
    }
}
