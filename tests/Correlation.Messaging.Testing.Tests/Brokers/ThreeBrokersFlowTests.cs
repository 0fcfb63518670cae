namespace Correlation.Messaging.Testing.Tests.Brokers;

/// <summary>
/// The same assertions as on the in-memory harness, on the real brokers in one process: HTTP → RabbitMQ (MassTransit)
/// → Kafka (librdkafka mock cluster) → SQS (emulator). Needs <c>eng/brokers.sh up</c>; with <c>CI=true</c> a missing
/// broker fails these tests.
/// </summary>
public sealed class ThreeBrokersFlowTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PlaceOrder_AcrossRabbitMqKafkaAndSqs_EveryAssertionHolds()
    {
        using var flow = FlowRecorder.Start();
        await using var app = await ThreeBrokersApp.StartAsync(flow);

        await app.PlaceOrderAsync();
        var expected = $"Http(POST /orders) → OrderPlaced → {app.LinesTopic} ×3 → {app.ShipmentsQueue}";
        await flow.WaitUntilQuietAsync(FlowShape.Parse(expected), Timeout);

        flow.AssertOneCorrelationId();
        flow.AssertShape(expected);
        flow.AssertNoNewFlowStarted();
        flow.AssertNothingOutlivedFlow();
        flow.AssertLogsCarryCorrelationId();
        flow.Hops.Select(h => h.Broker).Distinct().Order().ShouldBe(["aws_sqs", "http", "kafka", "masstransit"]);
        flow.Hops.Where(h => h.Broker == "masstransit").ShouldAllBe(h => h.Destination == "OrderPlaced" || h.Destination!.StartsWith("testing-orders-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AssertOneCorrelationId_KafkaProduceDropsTheId_FailsOnRealBrokers()
    {
        using var flow = FlowRecorder.Start();
        await using var app = await ThreeBrokersApp.StartAsync(flow, BrokerBreakage.KafkaProduceDropsId);

        await app.PlaceOrderAsync();
        await flow.WaitUntilQuietAsync(Timeout);

        var failure = Should.Throw<FlowAssertionException>(flow.AssertOneCorrelationId);

        TestContext.Current.TestOutputHelper?.WriteLine(failure.Message);
        failure.Message.ShouldStartWith("Expected one correlation ID across the flow, but found 4:");
        failure.Message.ShouldContain($"first Publish {app.LinesTopic} via kafka");
        Should.Throw<FlowAssertionException>(flow.AssertNoNewFlowStarted).Message.ShouldContain($"{app.LinesTopic} (Publish via kafka) has correlation_id ");
    }

    [Fact]
    public async Task WaitUntilQuietAsync_NothingConsumesSqs_FailsListingTheShipmentsInFlight()
    {
        using var flow = FlowRecorder.Start();
        await using var app = await ThreeBrokersApp.StartAsync(flow, BrokerBreakage.NoSqsConsumer);

        await app.PlaceOrderAsync();
        var failure = await Should.ThrowAsync<FlowAssertionException>(() => flow.WaitUntilQuietAsync(TimeSpan.FromSeconds(8)));
        TestContext.Current.TestOutputHelper?.WriteLine(failure.Message);

        failure.Message.ShouldStartWith("The flow was not quiet after 8 s: 3 message(s) still in flight:");
        failure.Message.ShouldContain($": sent via aws_sqs to {app.ShipmentsQueue} at ");
        Should.Throw<FlowAssertionException>(flow.AssertNothingOutlivedFlow).Message.ShouldStartWith("Expected no message to outlive its flow, but 3 did:");
    }
}
