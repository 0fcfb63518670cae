using System.Text;
using RabbitMQ.Client;

namespace Correlation.Messaging.RabbitMq.Tests.Infrastructure;

/// <summary>Publishes MassTransit envelopes with RabbitMQ.Client, as a producer that is not MassTransit would.</summary>
public static class RawPublisher
{
    public const string EnvelopeContentType = "application/vnd.masstransit+json";

    public static byte[] Envelope<T>(object message, Guid? messageId = null) =>
        Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new
        {
            messageId = messageId ?? Guid.NewGuid(),
            messageType = new[] { $"urn:message:{typeof(T).Namespace}:{typeof(T).Name}" },
            message,
        }));

    /// <summary>Publishes to a queue through the default exchange, with publisher confirms.</summary>
    public static async Task PublishAsync(IConnection connection, string queue, BasicProperties properties, byte[] body)
    {
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        properties.ContentType ??= EnvelopeContentType;
        properties.Persistent = true;
        await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, body);
    }
}
