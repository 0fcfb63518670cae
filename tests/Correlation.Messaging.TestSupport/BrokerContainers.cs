using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using Testcontainers.Kafka;
using Testcontainers.LocalStack;
using Testcontainers.RabbitMq;

namespace Correlation.Messaging.TestSupport;

/// <summary>
/// Brokers in containers, started with Testcontainers when no endpoint is configured and a Docker engine answers:
/// RabbitMQ with the management plugin, Apache Kafka in KRaft mode, and LocalStack for SQS. Each is started once per
/// test process and removed by Testcontainers' resource reaper when the process ends.
/// </summary>
/// <remarks>
/// Not exercised on the project's build machine, which has no Docker engine: there the native brokers of
/// <c>eng/brokers.sh</c> provide the endpoints through the environment. Tests that need the native Kafka mock's control
/// port (<c>KAFKA_MOCK_CONTROL</c>) or a local <c>rabbitmqctl</c> skip against a container.
/// </remarks>
public static class BrokerContainers
{
    private const string RabbitMqImage = "rabbitmq:3.13-management";
    private const string KafkaImage = "confluentinc/cp-kafka:7.9.0";
    private const string LocalStackImage = "localstack/localstack:4.4";
    private const ushort RabbitMqManagementPort = 15672;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Returns whether a Docker engine answers (not merely whether a <c>docker</c> client is installed).</summary>
    /// <returns><see langword="true"/> when Testcontainers found a Docker endpoint that answered.</returns>
    public static bool DockerAnswers()
    {
        try
        {
            // Testcontainers probes the configured and well-known endpoints and keeps the first that answers a ping.
            return TestcontainersSettings.OS.DockerEndpointAuthConfig is not null;
        }
        catch (Exception e) when (e is DockerUnavailableException or TypeInitializationException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Starts a broker's container and returns the variables its tests read.</summary>
    /// <param name="broker"><c>rabbitmq</c>, <c>kafka</c> or <c>sqs</c>.</param>
    /// <returns>The variables (see <see cref="BrokerEndpointResolver.BrokerVariables"/>).</returns>
    public static IReadOnlyDictionary<string, string> Start(string broker)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        return broker switch
        {
            "rabbitmq" => StartRabbitMqAsync(timeout.Token).GetAwaiter().GetResult(),
            "kafka" => StartKafkaAsync(timeout.Token).GetAwaiter().GetResult(),
            "sqs" => StartLocalStackAsync(timeout.Token).GetAwaiter().GetResult(),
            _ => throw new ArgumentOutOfRangeException(nameof(broker), broker, "No container for this broker."),
        };
    }

    private static async Task<IReadOnlyDictionary<string, string>> StartRabbitMqAsync(CancellationToken cancellationToken)
    {
        // Not "guest": RabbitMQ refuses guest from outside the container's loopback.
        var container = new RabbitMqBuilder(RabbitMqImage)
            .WithUsername("correlation")
            .WithPassword("correlation")
            .WithPortBinding(RabbitMqManagementPort, assignRandomHostPort: true)
            .Build();
        await container.StartAsync(cancellationToken).ConfigureAwait(false);
        var management = new UriBuilder("http", container.Hostname, container.GetMappedPublicPort(RabbitMqManagementPort))
        {
            UserName = "correlation",
            Password = "correlation",
        };
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [BrokerEndpoints.RabbitMqUriVariable] = container.GetConnectionString(),
            [BrokerEndpoints.RabbitMqManagementUriVariable] = management.Uri.ToString(),
        };
    }

    private static async Task<IReadOnlyDictionary<string, string>> StartKafkaAsync(CancellationToken cancellationToken)
    {
        var container = new KafkaBuilder(KafkaImage).WithKRaft().Build();
        await container.StartAsync(cancellationToken).ConfigureAwait(false);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [BrokerEndpoints.KafkaBootstrapVariable] = container.GetBootstrapAddress(),
        };
    }

    private static async Task<IReadOnlyDictionary<string, string>> StartLocalStackAsync(CancellationToken cancellationToken)
    {
        var container = new LocalStackBuilder(LocalStackImage).WithEnvironment("SERVICES", "sqs").Build();
        await container.StartAsync(cancellationToken).ConfigureAwait(false);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [BrokerEndpoints.SqsServiceUrlVariable] = container.GetConnectionString(),
        };
    }
}
