using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Correlation.Messaging.TestSupport;

namespace Correlation.Messaging.Kafka.Tests.Reliability;

/// <summary>
/// The line-based control port of the librdkafka mock cluster (<c>eng/kafka-mock</c>): create and delete topics, take
/// brokers down and up. Against a real Kafka there is no control port.
/// </summary>
public static class KafkaMockControl
{
    /// <summary>Gets the control endpoint, or <see langword="null"/> against a real Kafka.</summary>
    public static string? Endpoint => BrokerEndpoints.KafkaMockControl;

    /// <summary>
    /// Gets whether <c>eng/brokers.sh</c> runs Kafka natively (the mock cluster), so that a missing control port is an
    /// error rather than a real Kafka from docker compose: <c>BROKERS_MODE=native</c> or <c>eng/.run/kafka.mode</c> says so.
    /// </summary>
    public static bool MockExpected
    {
        get
        {
            if (string.Equals(Environment.GetEnvironmentVariable("BROKERS_MODE"), "native", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            var modeFile = BrokerEndpoints.RepositoryRoot is null ? null : Path.Combine(BrokerEndpoints.RepositoryRoot, "eng", ".run", "kafka.mode");
            return modeFile is not null && File.Exists(modeFile) && File.ReadAllText(modeFile).Trim() == "native";
        }
    }

    /// <summary>
    /// Returns the control endpoint. Without one: fails when <c>CI=true</c> and the native mock is expected (it must be
    /// there), and skips otherwise (a real Kafka from docker compose cannot take one broker down through an API).
    /// </summary>
    public static string Require(string why)
    {
        _ = BrokerEndpoints.KafkaBootstrapServers; // fails or skips first when there is no Kafka at all
        var endpoint = Endpoint;
        if (endpoint is not null)
        {
            return endpoint;
        }

        BrokerEndpoints.Unavailable(
            "eng/brokers.sh runs Kafka natively, but the mock's control port is unknown",
            $"{BrokerEndpoints.KafkaMockControlVariable} is not set: this Kafka is not librdkafka's mock cluster, " +
            $"so {why} cannot be done. Run Kafka with `eng/brokers.sh up kafka` (native mode) to run this test.",
            failInCi: MockExpected);
        return null!;
    }

    /// <summary>Sends one command and returns the answer line; fails unless it starts with <c>ok</c>.</summary>
    public static async Task<string> SendAsync(string endpoint, string command, CancellationToken cancellationToken = default)
    {
        var colon = endpoint.LastIndexOf(':');
        using var client = new TcpClient();
        await client.ConnectAsync(endpoint[..colon], int.Parse(endpoint[(colon + 1)..], CultureInfo.InvariantCulture), cancellationToken);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\n"), cancellationToken);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var answer = await reader.ReadLineAsync(cancellationToken);
        answer.ShouldNotBeNull($"mock control closed the connection after '{command}'");
        answer.ShouldStartWith("ok", Case.Sensitive, $"mock control answered '{answer}' to '{command}'");
        return answer;
    }

    /// <summary>
    /// Creates a topic through the control port when there is one (returns <see langword="true"/>); against a real Kafka
    /// returns <see langword="false"/> and the first produce creates it.
    /// </summary>
    public static async Task<bool> TryCreateTopicAsync(string topic, int partitions, CancellationToken cancellationToken = default)
    {
        if (Endpoint is not { } endpoint)
        {
            return false;
        }

        await SendAsync(endpoint, string.Create(CultureInfo.InvariantCulture, $"topic {topic} {partitions}"), cancellationToken);
        return true;
    }

    /// <summary>Deletes a topic when there is a control port, to keep the in-memory mock small; errors are ignored.</summary>
    public static async Task TryDeleteTopicAsync(string topic)
    {
        if (Endpoint is not { } endpoint)
        {
            return;
        }

        try
        {
            await SendAsync(endpoint, "delete-topic " + topic);
        }
        catch (Exception ex) when (ex is SocketException or IOException or ShouldAssertException)
        {
            // Best effort: the mock loses everything when it stops anyway.
        }
    }
}
