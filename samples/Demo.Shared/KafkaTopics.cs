using System.Net.Sockets;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Demo.Shared;

/// <summary>Creates the demo's Kafka topic before anyone subscribes to it.</summary>
public static class KafkaTopics
{
    /// <summary>
    /// Creates <paramref name="topic"/> unless it exists: through the control port of the librdkafka mock cluster
    /// (<c>eng/brokers.sh</c> without Docker; it has no admin API), else with the admin API of a real broker.
    /// </summary>
    /// <param name="bootstrapServers">The bootstrap servers.</param>
    /// <param name="mockControl">The mock cluster's control endpoint (<c>host:port</c>), or <see langword="null"/>.</param>
    /// <param name="topic">The topic name.</param>
    /// <param name="partitions">The number of partitions of a new topic.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A description of what happened, for the log.</returns>
    public static async Task<string> EnsureAsync(string bootstrapServers, string? mockControl, string topic, int partitions, CancellationToken cancellationToken)
    {
        if (mockControl is not null)
        {
            var separator = mockControl.LastIndexOf(':');
            using var client = new TcpClient();
            await client.ConnectAsync(mockControl[..separator], int.Parse(mockControl[(separator + 1)..], System.Globalization.CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"topic {topic} {partitions}\n"), cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            var answer = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) ?? "no answer";
            if (answer.StartsWith("ok", StringComparison.Ordinal))
            {
                return $"created topic {topic} ({partitions} partitions) on the Kafka mock cluster";
            }

            return answer.Contains("TOPIC_ALREADY_EXISTS", StringComparison.Ordinal)
                ? $"topic {topic} already exists on the Kafka mock cluster"
                : throw new InvalidOperationException($"The Kafka mock cluster did not create topic {topic}: {answer}");
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        try
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]).ConfigureAwait(false);
            return $"created topic {topic} ({partitions} partitions)";
        }
        catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code == ErrorCode.TopicAlreadyExists))
        {
            return $"topic {topic} already exists";
        }
    }
}
