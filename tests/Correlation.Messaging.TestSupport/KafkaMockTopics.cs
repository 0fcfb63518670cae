using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Shouldly;

namespace Correlation.Messaging.TestSupport;

/// <summary>Topics on librdkafka's mock cluster, which has no admin API: created through its control port.</summary>
public static class KafkaMockTopics
{
    /// <summary>
    /// Creates an empty topic through the mock's control port (<c>KAFKA_MOCK_CONTROL</c>). Against a real Kafka (no
    /// control port) it returns <see langword="false"/> and the topic is auto-created by the first produce.
    /// </summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partitions">Its partition count.</param>
    /// <returns>Whether the topic was created here.</returns>
    public static async Task<bool> TryCreateAsync(string topic, int partitions = 1)
    {
        var control = BrokerEndpoints.KafkaMockControl;
        if (control is null)
        {
            return false;
        }

        var colon = control.LastIndexOf(':');
        using var client = new TcpClient();
        await client.ConnectAsync(control[..colon], int.Parse(control[(colon + 1)..], CultureInfo.InvariantCulture));
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"topic {topic} {partitions}\n")));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var answer = await reader.ReadLineAsync();
        answer.ShouldNotBeNull().ShouldStartWith("ok", Case.Sensitive, $"mock control answered '{answer}'");
        return true;
    }
}
