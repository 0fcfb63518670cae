namespace Correlation.Messaging.CloudEvents;

/// <summary>
/// A transport whose CloudEvents binary-mode header names <see cref="CloudEventCorrelation.AddCloudEventsBinaryMode"/> adds.
/// </summary>
public enum CloudEventsTransport
{
    /// <summary>The Kafka protocol binding: headers <c>ce_correlationid</c> and <c>ce_causationid</c>.</summary>
    Kafka = 0,

    /// <summary>
    /// The AMQP protocol binding (on RabbitMQ, as AMQP 0-9-1 headers): <c>cloudEvents_correlationid</c> and
    /// <c>cloudEvents_causationid</c> written; the <c>cloudEvents:</c> prefix is read too.
    /// </summary>
    Amqp = 1,
}
