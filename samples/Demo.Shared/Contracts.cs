namespace Demo.Shared;

/// <summary>One line of an order: a product and how many of it.</summary>
public sealed record OrderLine(string Sku, int Quantity);

/// <summary>Published by orders-api over RabbitMQ (MassTransit) when an order is accepted.</summary>
public sealed record OrderPlaced(string OrderId, IReadOnlyList<OrderLine> Lines);

/// <summary>Produced by orders-worker to the Kafka topic <c>order-lines</c>, one record per order line (the fan-out).</summary>
public sealed record OrderLineRequested(string OrderId, string LineId, string Sku, int Quantity);

/// <summary>Sent by inventory-service to the SQS queue <c>shipments</c> once the stock of a line is reserved.</summary>
public sealed record ShipmentRequested(string OrderId, string LineId, string Sku, int Quantity, string Warehouse);

/// <summary>Broker resource names used by the demo.</summary>
public static class DemoNames
{
    /// <summary>The Kafka topic of order lines.</summary>
    public const string OrderLinesTopic = "order-lines";

    /// <summary>The SQS queue of shipment requests.</summary>
    public const string ShipmentsQueue = "shipments";
}
