using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.SQS;
using Correlation.Messaging.TestSupport;

namespace Correlation.Messaging.Readme.Tests.QuickStart;

/// <summary>
/// What the README's run section sets up for the quick start: the broker endpoints and the emulator's dummy credentials
/// as environment variables, a free port, and the shipping queue, created first as infrastructure would create it.
/// </summary>
internal static class QuickStartEnvironment
{
    /// <summary>Creates a shipping queue named after <paramref name="queuePrefix"/> and returns the app's environment.</summary>
    public static async Task<(Dictionary<string, string> Environment, int Port)> CreateAsync(string queuePrefix)
    {
        var sqsUrl = BrokerEndpoints.SqsServiceUrl;
        var queue = queuePrefix + "-" + Guid.NewGuid().ToString("N")[..12];
        using (var sqs = new AmazonSQSClient(new BasicAWSCredentials("test", "test"), new AmazonSQSConfig { ServiceURL = sqsUrl.ToString(), AuthenticationRegion = "us-east-1" }))
        {
            await sqs.CreateQueueAsync(queue, TestContext.Current.CancellationToken);
        }

        var port = FreePort();
        var environment = new Dictionary<string, string>
        {
            ["RabbitMq__Uri"] = BrokerEndpoints.RabbitMqUri.ToString(),
            ["Kafka__BootstrapServers"] = BrokerEndpoints.KafkaBootstrapServers,
            ["AWS__ServiceURL"] = sqsUrl.ToString(),
            ["AWS__Region"] = "us-east-1",
            ["AWS_ACCESS_KEY_ID"] = "test",
            ["AWS_SECRET_ACCESS_KEY"] = "test",
            ["Sqs__ShippingQueue"] = queue,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
        };
        return (environment, port);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
