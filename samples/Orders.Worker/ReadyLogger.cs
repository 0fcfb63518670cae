using Demo.Shared;
using Demo.Shared.Logging;

namespace Orders.Worker;

/// <summary>Creates the Kafka topic, then logs "Service ready" once the host (and the bus) has started.</summary>
internal sealed class ReadyLogger(IConfiguration configuration, IHostApplicationLifetime lifetime, ILogger<ReadyLogger> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var topic = await KafkaTopics.EnsureAsync(
            DemoSettings.KafkaBootstrapServers(configuration), DemoSettings.KafkaMockControl(configuration), DemoNames.OrderLinesTopic, 4, cancellationToken);
        lifetime.ApplicationStarted.Register(() => DemoLog.ServiceReady(logger, $"consuming RabbitMQ queue order-placed; {topic}"));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
