using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Timeline.Tests.Formats;

/// <summary>
/// One flow of the demo, logged through Microsoft.Extensions.Logging with the logging scope Correlation.Messaging opens
/// (correlation_id, causation_id, message_id, correlation_depth, correlation_origin): an HTTP API publishes OrderPlaced,
/// a worker fans it out to two order lines, an inventory service sends each to fulfilment, and one fulfilment fails
/// once and is redelivered. Each format's fixture is this flow written by that format's logging library.
/// </summary>
internal static class DemoFlow
{
    public const string CorrelationId = "8d5e0c2a-61b4-4f0e-9a57-3c1f2b7d9e44";
    public const string OrderPlaced = "01JDX0A0000000000000000001";
    public const string Line1 = "01JDX0A0000000000000000002";
    public const string Line2 = "01JDX0A0000000000000000003";
    public const string Ship1 = "01JDX0A0000000000000000004";
    public const string Ship2 = "01JDX0A0000000000000000005";

    public static readonly string[] Services = ["orders-api", "orders-worker", "inventory-service", "fulfilment-worker"];

    /// <summary>The expected causation tree: each handling ("service/message ID") with its parent's, and whether it was retried.</summary>
    public static readonly (string Handling, string? Parent, bool Retried)[] ExpectedTree =
    [
        ("orders-api/-", null, false),
        ("orders-worker/" + OrderPlaced, "orders-api/-", false), // no causation over HTTP: attached by hop depth
        ("inventory-service/" + Line1, "orders-worker/" + OrderPlaced, false),
        ("inventory-service/" + Line2, "orders-worker/" + OrderPlaced, false),
        ("fulfilment-worker/" + Ship1, "inventory-service/" + Line1, false),
        ("fulfilment-worker/" + Ship2, "inventory-service/" + Line2, true),
    ];

    /// <summary>Logs the flow; <paramref name="loggerFor"/> gives each service its logger (its logging pipeline).</summary>
    /// <param name="loggerFor">The logger of a service.</param>
    /// <param name="activity">Called around each handling with the service and message ID, to run it inside a span when traces are written too.</param>
    public static void Log(Func<string, ILogger> loggerFor, Func<string, string?, string?, IDisposable?>? activity = null)
    {
        activity ??= static (_, _, _) => null;
        var api = loggerFor("orders-api");
        using (activity("orders-api", null, null))
        using (api.BeginScope(Scope(null, null, 0)))
        {
            api.LogInformation("Placing order {OrderId} with {LineCount} lines", 1001, 2);
            Pause();
            api.LogInformation("Published OrderPlaced for order {OrderId} to {Destination}", 1001, "rabbitmq://localhost/order-placed");
        }

        Pause();
        var worker = loggerFor("orders-worker");
        using (activity("orders-worker", OrderPlaced, null))
        using (worker.BeginScope(Scope(OrderPlaced, null, 1)))
        {
            worker.LogInformation("Consuming OrderPlaced for order {OrderId}", 1001);
            worker.LogInformation("Produced OrderLineRequested {OrderLine} to Kafka topic {Topic}", "1001-1", "order-lines");
            worker.LogInformation("Produced OrderLineRequested {OrderLine} to Kafka topic {Topic}", "1001-2", "order-lines");
        }

        Pause();
        var inventory = loggerFor("inventory-service");
        (string Line, string Name)[] lines = [(Line1, "1001-1"), (Line2, "1001-2")];
        foreach (var (line, name) in lines)
        {
            using (activity("inventory-service", line, OrderPlaced))
            using (inventory.BeginScope(Scope(line, OrderPlaced, 2)))
            {
                inventory.LogInformation("Reserving stock for order line {OrderLine}", name);
                Pause();
                inventory.LogInformation("Reserved stock for order line {OrderLine}; sent ShipmentRequested to SQS queue {Queue}", name, "fulfilment");
            }
        }

        Pause();
        var fulfilment = loggerFor("fulfilment-worker");
        using (activity("fulfilment-worker", Ship1, Line1))
        using (fulfilment.BeginScope(Scope(Ship1, Line1, 3)))
        {
            fulfilment.LogInformation("Fulfilling shipment for order line {OrderLine} (attempt {Attempt})", "1001-1", 1);
            fulfilment.LogInformation("Order line {OrderLine} completed", "1001-1");
        }

        using (activity("fulfilment-worker", Ship2, Line2))
        using (fulfilment.BeginScope(Scope(Ship2, Line2, 3)))
        {
            fulfilment.LogInformation("Fulfilling shipment for order line {OrderLine} (attempt {Attempt})", "1001-2", 1);
            Pause();
            fulfilment.LogError(new TimeoutException("The carrier API did not answer within 2 seconds."), "Fulfilment of order line {OrderLine} failed; the message stays on the queue for redelivery", "1001-2");
        }

        Pause();
        using (activity("fulfilment-worker", Ship2, Line2))
        using (fulfilment.BeginScope(Scope(Ship2, Line2, 3)))
        {
            fulfilment.LogInformation("Fulfilling shipment for order line {OrderLine} (attempt {Attempt})", "1001-2", 2);
            fulfilment.LogInformation("Order line {OrderLine} completed", "1001-2");
        }
    }

    /// <summary>The scope Correlation.Messaging opens around a handling (the field names of its logging scope).</summary>
    private static Dictionary<string, object?> Scope(string? messageId, string? causationId, int depth)
    {
        var scope = new Dictionary<string, object?>
        {
            ["correlation_id"] = CorrelationId,
            ["correlation_depth"] = depth,
            ["correlation_origin"] = "orders-api",
        };
        if (messageId is not null)
        {
            scope["message_id"] = messageId;
        }

        if (causationId is not null)
        {
            scope["causation_id"] = causationId;
        }

        return scope;
    }

    /// <summary>A few milliseconds between steps, so that every line has its own clock time.</summary>
    private static void Pause()
    {
        var start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < TimeSpan.FromMilliseconds(3))
        {
            Thread.Sleep(1);
        }
    }
}
