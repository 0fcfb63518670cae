using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;

namespace Correlation.Messaging.Kafka.Tests.Integration;

/// <summary>Interop with kcat (Debian package <c>kcat</c>), an independent librdkafka command-line client.</summary>
[Collection(KafkaCollection.Name)]
public sealed class KcatInteropTests(KafkaFixture kafka)
{
    private static string Kcat()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "kcat"))
            .FirstOrDefault(File.Exists);
        if (path is not null)
        {
            return path;
        }

        BrokerEndpoints.Unavailable("the kcat interop test cannot run", "kcat is not on PATH; install it (Debian: apt-get install -y kcat).");
        return null!;
    }

    private static async Task<string> RunAsync(string stdin, params string[] args)
    {
        var start = new ProcessStartInfo(Kcat())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(KafkaFixture.Deadline);
        await process.WaitForExitAsync(timeout.Token);
        process.ExitCode.ShouldBe(0, await error);
        return await output;
    }

    [Fact]
    public async Task KcatProducesWithHeaders_OurConsumerRestoresThem()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions());
        var topic = KafkaFixture.NewTopic("kcat-in");
        await RunAsync("first\n", "-b", kafka.BootstrapServers, "-P", "-t", topic, "-p", "0", "-H", "X-Correlation-ID=kcat-flow-1", "-H", "X-Message-ID=kcat-msg-1");
        await RunAsync("second\n", "-b", kafka.BootstrapServers, "-P", "-t", topic, "-p", "0", "-H", "correlation-id=kcat-alias-2");

        var seen = new List<CorrelationContext>();
        using var consumer = kafka.AssignedConsumer(topic);
        KafkaFixture.Until(
            () => seen.Count >= 2,
            () => consumer.ConsumeWithCorrelation(propagator, _ => seen.Add(CorrelationContext.Current!), TimeSpan.FromMilliseconds(200)),
            "kcat's messages were not consumed");

        seen[0].CorrelationId.ShouldBe("kcat-flow-1");
        seen[0].MessageId.ShouldBe("kcat-msg-1");
        seen[0].Source.ShouldBe(CorrelationIdSource.Inbound);
        seen[1].CorrelationId.ShouldBe("kcat-alias-2");
        seen[1].MessageId.ShouldBe($"{topic}:0:1");
    }

    [Fact]
    public async Task OurProducerHeaders_PrintedByKcat()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions());
        var topic = KafkaFixture.NewTopic("kcat-out");
        DeliveryResult<string, string> delivery;
        using (var producer = kafka.CorrelatingProducer(propagator))
        using (CorrelationContext.BeginScope(new CorrelationContext("our-flow-1", messageId: "parent-msg-1")))
        {
            delivery = await producer.ProduceAsync(
                new TopicPartition(topic, 0),
                new Message<string, string> { Value = "hello", Headers = new Headers { { "tenant", "acme"u8.ToArray() } } },
                TestContext.Current.CancellationToken);
        }

        var flow = Encoding.UTF8.GetString(delivery.Message.Headers.GetLastBytes(CorrelationHeaders.FlowMetadata));
        Correlation.Messaging.Contracts.Oracle.FlowOracle.Parse(flow).ShouldNotBeNull(flow).Depth.ShouldBe(1);
        var printed = await RunAsync(string.Empty, "-b", kafka.BootstrapServers, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-c", "1", "-e", "-f", "%h\n");

        printed.Trim().ShouldBe($"tenant=acme,X-Correlation-ID=our-flow-1,X-Causation-ID=parent-msg-1,X-Correlation-Flow={flow}");
    }
}
