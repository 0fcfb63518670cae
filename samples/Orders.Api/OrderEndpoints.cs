using System.Globalization;
using Correlation.Messaging;
using Demo.Shared;
using MassTransit;

namespace Orders.Api;

/// <summary>The body of <c>POST /orders</c>.</summary>
/// <param name="OrderId">The order number (optional: one is assigned when absent).</param>
/// <param name="Lines">The order lines.</param>
internal sealed record PlaceOrderRequest(string? OrderId, IReadOnlyList<OrderLine>? Lines);

internal static partial class OrderEndpoints
{
    private static int _nextOrderId = 5000;

    public static async Task<IResult> PlaceOrderAsync(PlaceOrderRequest request, IPublishEndpoint publish, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger("Orders.Api.OrderEndpoints");
        if (request.Lines is not { Count: > 0 } lines || lines.Any(l => string.IsNullOrWhiteSpace(l.Sku) || l.Quantity < 1))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["lines"] = ["At least one line with a SKU and a positive quantity."] });
        }

        var orderId = string.IsNullOrWhiteSpace(request.OrderId)
            ? Interlocked.Increment(ref _nextOrderId).ToString(CultureInfo.InvariantCulture)
            : request.OrderId.Trim();

        PlacingOrder(logger, orderId, lines.Count);
        await publish.Publish(new OrderPlaced(orderId, lines), cancellationToken);
        PublishedOrderPlaced(logger, orderId);

        // The correlation ID is also echoed in the X-Correlation-ID response header by the middleware.
        var correlationId = CorrelationContext.Current?.CorrelationId;
        return Results.Accepted($"/orders/{orderId}", new { orderId, correlationId, lines = lines.Count });
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Placing order {OrderId} with {LineCount} lines")]
    private static partial void PlacingOrder(ILogger logger, string orderId, int lineCount);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Published OrderPlaced for order {OrderId} to RabbitMQ")]
    private static partial void PublishedOrderPlaced(ILogger logger, string orderId);
}
