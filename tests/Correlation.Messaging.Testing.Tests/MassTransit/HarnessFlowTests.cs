using MassTransit;
using Correlation.Messaging.TestSupport;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Correlation.Messaging.Testing.Tests.MassTransit;

/// <summary>
/// The package's assertions on MassTransit's test harness (in-memory transport) behind an ASP.NET Core endpoint. Each
/// assertion has a failing twin: the same flow broken on purpose, failing with the message the README quotes.
/// </summary>
public sealed class HarnessFlowTests
{
    private const string Expected = "Http(POST /orders) → OrderPlaced → { OrderLineRequested ×3 → ShipmentRequested }";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task PlaceOrder_HealthyFlow_EveryAssertionHolds()
    {
        using var flow = FlowRecorder.Start();
        await using var app = await OrdersApp.StartAsync(flow);

        await app.PlaceOrderAsync();
        await flow.WaitUntilQuietAsync(Timeout);

        var id = flow.AssertOneCorrelationId();
        flow.AssertShape(Expected);
        flow.AssertNoNewFlowStarted();
        flow.AssertNothingOutlivedFlow();
        flow.AssertLogsCarryCorrelationId();

        // Oracles independent of the recorder: the harness's own consumed messages and the FakeLogger's records.
        var harness = app.Services.GetRequiredService<ITestHarness>();
        harness.Consumed.Select<ShipmentRequested>(TestContext.Current.CancellationToken).Count().ShouldBe(3);
        flow.Hops.Count(h => h.Kind == RecordedHopKind.Consume).ShouldBe(7);
        app.Logs.GetSnapshot().Where(r => r.Category!.StartsWith("Correlation.Messaging.Testing.Tests", StringComparison.Ordinal)).Count().ShouldBe(7);
        app.Logs.GetSnapshot().Where(r => r.Category!.StartsWith("Correlation.Messaging.Testing.Tests", StringComparison.Ordinal))
            .ShouldAllBe(r => r.Scopes.OfType<IEnumerable<KeyValuePair<string, object?>>>().SelectMany(s => s).Any(p => p.Key == "correlation_id" && (string?)p.Value == id));
    }

    [Fact]
    public async Task PlaceOrder_ShapeAsEndOfFlow_WaitsForTheWholeTree()
    {
        using var flow = FlowRecorder.Start();
        await using var app = await OrdersApp.StartAsync(flow);

        await app.PlaceOrderAsync();
        await flow.WaitUntilQuietAsync(FlowShape.Parse(Expected), Timeout);

        flow.Hops.Count(h => h.Name == "ShipmentRequested" && h.Kind == RecordedHopKind.Consume && h.IsCompleted).ShouldBe(3);
    }

    [Fact]
    public async Task HarnessPublish_WithoutAnyScope_CarriesOneFlowToEveryConsumer()
    {
        using var flow = FlowRecorder.Start();
        await using var app = await OrdersApp.StartAsync(flow);
        var harness = app.Services.GetRequiredService<ITestHarness>();

        await harness.Bus.Publish(new OrderPlaced(7, 2), TestContext.Current.CancellationToken);
        await flow.WaitUntilQuietAsync(Timeout);

        flow.AssertShape("OrderPlaced → OrderLineRequested ×2 → ShipmentRequested");
        var id = flow.AssertOneCorrelationId();
        flow.AssertNoNewFlowStarted();
        flow.Hops[0].IdWasGenerated.ShouldBeTrue();
        var consumed = harness.Consumed.Select<ShipmentRequested>(TestContext.Current.CancellationToken).First().Context;
        consumed.Headers.Get<string>("X-Correlation-ID").ShouldBe(id);
    }

    [Fact]
    public async Task PlaceOrder_WithInMemoryOutbox_RecorderSeesEveryConsumer()
    {
        using var flow = FlowRecorder.Start();
        await using var app = await OrdersApp.StartAsync(flow, inMemoryOutbox: true);

        await app.PlaceOrderAsync();
        await flow.WaitUntilQuietAsync(Timeout);

        flow.AssertShape(Expected);
        flow.AssertOneCorrelationId();
        flow.AssertNoNewFlowStarted();
        flow.AssertNothingOutlivedFlow();
    }

    [Fact]
    public async Task AssertOneCorrelationId_HopDropsTheId_FailsNamingBothIds()
    {
        using var flow = FlowRecorder.Start();
        await using var app = await OrdersApp.StartAsync(flow, Breakage.DropId);

        await app.PlaceOrderAsync();
        await flow.WaitUntilQuietAsync(Timeout);

        var failure = Should.Throw<FlowAssertionException>(flow.AssertOneCorrelationId);

        TestContext.Current.TestOutputHelper?.WriteLine(failure.Message);
        failure.Message.ShouldStartWith("Expected one correlation ID across the flow, but found 4:");
        failure.Message.ShouldContain("2 hop(s), first Publish ShipmentRequested via masstransit");
        failure.Message.ShouldContain("◀ started a new flow");
    }

    [Fact]
    public async Task AssertNoNewFlowStarted_HopDropsTheId_FailsNamingTheHop()
    {
        using var flow = FlowRecorder.Start();
        await using var app = await OrdersApp.StartAsync(flow, Breakage.DropId);

        await app.PlaceOrderAsync();
        await flow.WaitUntilQuietAsync(Timeout);

        var failure = Should.Throw<FlowAssertionException>(flow.AssertNoNewFlowStarted);

        TestContext.Current.TestOutputHelper?.WriteLine(failure.Message);
        failure.Message.ShouldStartWith("Expected no hop to start a new flow, but 3 did:");
        failure.Message.ShouldContain("ShipmentRequested (Publish via masstransit) has correlation_id ");
        failure.Message.ShouldContain("the ID was generated there");
    }

    [Fact]
    public async Task AssertShape_WrongCausation_FailsShowingBothShapes()
    {
        using var flow = FlowRecorder.Start();
        await using var app = await OrdersApp.StartAsync(flow, Breakage.WrongCausation);

        await app.PlaceOrderAsync();
        await flow.WaitUntilQuietAsync(Timeout);

        flow.AssertOneCorrelationId(); // the ID survived; only the causation is wrong
        var failure = Should.Throw<FlowAssertionException>(() => flow.AssertShape(Expected));
        TestContext.Current.TestOutputHelper?.WriteLine(failure.Message);
        failure.Message.ShouldStartWith(
            "Expected the causation tree" + Environment.NewLine +
            "  Http(POST /orders) → OrderPlaced → OrderLineRequested ×3 → ShipmentRequested" + Environment.NewLine +
            "but recorded" + Environment.NewLine +
            "  { Http(POST /orders) → OrderPlaced → OrderLineRequested ×3, ShipmentRequested ×3 }");
    }

    [Fact]
    public async Task WaitUntilQuietAsync_MissingConsumer_FailsListingWhatIsInFlight()
    {
        using var flow = FlowRecorder.Start();
        await using var app = await OrdersApp.StartAsync(flow, Breakage.MissingConsumer);

        await app.PlaceOrderAsync();
        var failure = await Should.ThrowAsync<FlowAssertionException>(() => flow.WaitUntilQuietAsync(TimeSpan.FromSeconds(2)));
        TestContext.Current.TestOutputHelper?.WriteLine(failure.Message);

        failure.Message.ShouldStartWith("The flow was not quiet after 2 s: 3 message(s) still in flight:");
        failure.Message.ShouldContain("ShipmentRequested (message_id=");
        failure.Message.ShouldContain(": published via masstransit to ShipmentRequested at ");
        failure.Message.ShouldContain("never consumed");
        failure.Message.ShouldContain("NOT CONSUMED (in flight)");
    }

    [Fact]
    public async Task AssertNothingOutlivedFlow_MissingConsumer_FailsListingTheMessages()
    {
        using var flow = FlowRecorder.Start();
        await using var app = await OrdersApp.StartAsync(flow, Breakage.MissingConsumer);

        await app.PlaceOrderAsync();
        await flow.WaitUntilQuietAsync(FlowShape.Parse("Http(POST /orders) → OrderPlaced → OrderLineRequested ×3 → ShipmentRequested"), TimeSpan.FromSeconds(1))
            .ShouldThrowAsync<FlowAssertionException>();

        var failure = Should.Throw<FlowAssertionException>(flow.AssertNothingOutlivedFlow);

        TestContext.Current.TestOutputHelper?.WriteLine(failure.Message);
        failure.Message.ShouldStartWith("Expected no message to outlive its flow, but 3 did:");
        failure.Message.ShouldContain("never consumed");
    }

    [Fact]
    public async Task AssertLogsCarryCorrelationId_HandlerLogsThroughItsOwnFactory_FailsQuotingTheLines()
    {
        using var flow = FlowRecorder.Start();
        await using var app = await OrdersApp.StartAsync(flow, Breakage.OwnLoggerFactory);

        await app.PlaceOrderAsync();
        await flow.WaitUntilQuietAsync(Timeout);

        var failure = Should.Throw<FlowAssertionException>(flow.AssertLogsCarryCorrelationId);

        TestContext.Current.TestOutputHelper?.WriteLine(failure.Message);
        failure.Message.ShouldMatch(@"^Expected every log line written while the flow was handled to carry its correlation_id, but 3 of \d+ did not:");
        failure.Message.ShouldContain("[Information] Orders.OwnLogger: \"Line 1 of order 42 requested\" while handling OrderLineRequested (message_id=");
        failure.Message.ShouldContain("): no correlation_id");
    }

    [Fact]
    public async Task AssertLogsCarryCorrelationId_NoLogsCaptured_FailsRatherThanPassing()
    {
        using var flow = FlowRecorder.Start();

        var failure = Should.Throw<FlowAssertionException>(flow.AssertLogsCarryCorrelationId);

        TestContext.Current.TestOutputHelper?.WriteLine(failure.Message);

        failure.Message.ShouldStartWith("Expected log lines written while the flow was handled, but there were none");
    }

    [Fact]
    public async Task Describe_ConsumerThrows_TreeShowsTheFault()
    {
        using var flow = FlowRecorder.Start();
        await using var app = await OrdersApp.StartAsync(flow, Breakage.ShipmentThrows);
        var harness = app.Services.GetRequiredService<ITestHarness>();

        await app.PlaceOrderAsync();
        (await harness.Published.Any<Fault<ShipmentRequested>>(TestContext.Current.CancellationToken)).ShouldBeTrue();
        (await Eventually.TrueAsync(
            () => flow.Hops.Count(h => h.Kind == RecordedHopKind.Consume && h.Name == "ShipmentRequested" && h.IsCompleted) == 3,
            Timeout,
            TestContext.Current.CancellationToken)).ShouldBeTrue();

        var shipments = flow.Hops.Where(h => h.Kind == RecordedHopKind.Consume && h.Name == "ShipmentRequested").ToList();
        shipments.ShouldNotBeEmpty();
        shipments.ShouldAllBe(h => h.Faulted);
        flow.Describe().ShouldContain("consumed: faulted (InvalidOperationException) in ");
        flow.Describe().ShouldContain("Fault<ShipmentRequested>");
    }

    [Fact]
    public async Task WaitUntilQuietAsync_NothingHappens_FailsSayingTheFlowDidNotStart()
    {
        using var flow = FlowRecorder.Start();

        var failure = await Should.ThrowAsync<FlowAssertionException>(() => flow.WaitUntilQuietAsync(TimeSpan.FromMilliseconds(100)));

        TestContext.Current.TestOutputHelper?.WriteLine(failure.Message);

        failure.Message.ShouldStartWith("The flow did not start within 0.1 s: no hop was recorded");
    }

    [Fact]
    public async Task Recorder_Disposed_RecordsNothingMore()
    {
        var flow = FlowRecorder.Start();
        flow.Dispose();
        await using var app = await OrdersApp.StartAsync(flow);

        await app.PlaceOrderAsync();
        var harness = app.Services.GetRequiredService<ITestHarness>();
        (await harness.Consumed.Any<ShipmentRequested>(TestContext.Current.CancellationToken)).ShouldBeTrue();

        flow.Hops.ShouldBeEmpty();
    }
}
