using System.Collections.Concurrent;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq;
using Correlation.Messaging.TestSupport;
using RabbitMQ.Client;

namespace Correlation.Messaging.Interop.Tests.Infrastructure;

/// <summary>RabbitMQ.Client helpers on the real broker: a raw publisher and one correlating consumer per queue.</summary>
public static class Rabbit
{
    public static async Task<IConnection> ConnectAsync()
    {
        var factory = new ConnectionFactory { Uri = BrokerEndpoints.RabbitMqUri };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        return await factory.CreateConnectionAsync(cts.Token);
    }

    /// <summary>Declares an auto-delete queue and publishes one message to it with the given properties.</summary>
    public static async Task PublishAsync(IChannel channel, string queue, BasicProperties properties, byte[] body)
    {
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: true);
        await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, body);
    }

    /// <summary>
    /// Consumes one message with <see cref="CorrelatingBasicConsumer"/>; <paramref name="handler"/> runs inside its scope.
    /// </summary>
    public static async Task<T> ConsumeOneAsync<T>(IChannel channel, string queue, CorrelationPropagator propagator, Func<IReadOnlyBasicProperties, ReadOnlyMemory<byte>, T> handler)
    {
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: true);
        var results = new ConcurrentQueue<T>();
        var consumer = new CorrelatingBasicConsumer(channel, propagator);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            results.Enqueue(handler(delivery.BasicProperties, delivery.Body));
            return Task.CompletedTask;
        };
        var tag = await channel.BasicConsumeAsync(queue, autoAck: true, consumer);
        (await Eventually.TrueAsync(() => !results.IsEmpty, Brokers.Deadline)).ShouldBeTrue($"nothing was consumed from {queue}");
        await channel.BasicCancelAsync(tag);
        return results.Single();
    }
}
