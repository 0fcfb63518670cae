using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq.Tests.Infrastructure;
using Correlation.Messaging.TestSupport;
using MassTransit;
using RabbitMQ.Client;

namespace Correlation.Messaging.RabbitMq.Tests.Reliability;

/// <summary>The crash scenario's message; the URN matches the fault host's type of the same shape.</summary>
[MessageUrn("Correlation.Messaging.Reliability:RabbitMqCrashMessage")]
public sealed record RabbitMqCrashMessage(int Index, string ExpectedId);

/// <summary>
/// Fault: a RabbitMQ consumer process (tests/Correlation.Messaging.FaultHost) is killed with SIGKILL while it holds
/// deliveries it has not acknowledged. The broker redelivers them to a successor, which sees every one, flagged as
/// redelivered, with the same correlation and message IDs the producer sent and the dead consumer saw.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class ConsumerCrashTests(RabbitMqFixture fixture)
{
    private const int Count = 40;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>What a consumer saw of one message.</summary>
    private sealed record Seen(int Index, string CorrelationId, string MessageId, bool Redelivered);

    [Fact]
    public async Task MassTransitConsumerKilledBeforeAck_RedeliveredToSuccessorWithSameIds()
    {
        var queue = fixture.NewQueueName("crash-mt");

        // Produce through the package: each message in its own correlation scope, with a message ID we know. (The
        // producer bus lives to the end: disposing a test bus deletes the test's queues.)
        await using var producer = await fixture.StartBusAsync((_, _) => { });
        var endpoint = await producer.Bus.GetSendEndpoint(new Uri($"queue:{queue}"));
        var produced = new List<Seen>();
        for (var i = 0; i < Count; i++)
        {
            var id = $"crash-mt-{i:D2}-{Guid.NewGuid():N}";
            var messageId = NewId.NextGuid();
            using (CorrelationContext.BeginScope(new CorrelationContext(id)))
            {
                await endpoint.Send(new RabbitMqCrashMessage(i, id), c => c.MessageId = messageId, Ct);
            }

            produced.Add(new Seen(i, id, messageId.ToString("D"), false));
        }

        var crashed = await RunAndKillAsync(queue, "masstransit");

        // The successor: an in-process bus on the same queue.
        var reread = new ConcurrentQueue<Seen>();
        await using (var successor = await fixture.StartBusAsync((_, cfg) => cfg.ReceiveEndpoint(queue, e => e.Handler<RabbitMqCrashMessage>(c =>
        {
            var ambient = CorrelationContext.Current!;
            reread.Enqueue(new Seen(c.Message.Index, ambient.CorrelationId, ambient.MessageId!, c.ReceiveContext.Redelivered));
            return Task.CompletedTask;
        }))))
        {
            (await Eventually.TrueAsync(() => reread.Count >= Count, Deadline, Ct)).ShouldBeTrue($"the successor got {reread.Count} of {Count} redeliveries");
        }

        AssertSameIds(produced, crashed, [.. reread]);
        fixture.Logs.Logs.Where(l => l.Message.Contains(queue, StringComparison.Ordinal) && l.Message.Contains("R-FAULT", StringComparison.Ordinal)).ShouldBeEmpty();
    }

    [Fact]
    public async Task CorrelatingBasicConsumerKilledBeforeAck_RedeliveredToSuccessorWithSameIds()
    {
        var queue = fixture.NewQueueName("crash-client");
        try
        {
            await ClientScenarioAsync(queue);
        }
        finally
        {
            await fixture.CleanupAsync();
        }
    }

    private async Task ClientScenarioAsync(string queue)
    {
        var connection = await fixture.ConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: Ct);

        var produced = new List<Seen>();
        for (var i = 0; i < Count; i++)
        {
            var id = $"crash-client-{i:D2}-{Guid.NewGuid():N}";
            var messageId = Guid.NewGuid().ToString("D");
            using (CorrelationContext.BeginScope(new CorrelationContext(id)))
            {
                await channel.BasicPublishWithCorrelationAsync(
                    string.Empty,
                    queue,
                    Encoding.UTF8.GetBytes(i.ToString(CultureInfo.InvariantCulture)),
                    new BasicProperties { MessageId = messageId, Persistent = true },
                    mandatory: true,
                    cancellationToken: Ct);
            }

            produced.Add(new Seen(i, id, messageId, false));
        }

        var crashed = await RunAndKillAsync(queue, "client");

        var reread = new ConcurrentQueue<Seen>();
        var consumer = new CorrelatingBasicConsumer(channel, new CorrelationPropagator(new CorrelationOptions()));
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            var ambient = CorrelationContext.Current!;
            reread.Enqueue(new Seen(int.Parse(Encoding.UTF8.GetString(delivery.Body.Span), CultureInfo.InvariantCulture), ambient.CorrelationId, ambient.MessageId!, delivery.Redelivered));
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        };
        var tag = await channel.BasicConsumeAsync(queue, autoAck: false, consumer, Ct);
        (await Eventually.TrueAsync(() => reread.Count >= Count, Deadline, Ct)).ShouldBeTrue($"the successor got {reread.Count} of {Count} redeliveries");
        await channel.BasicCancelAsync(tag, cancellationToken: Ct);

        AssertSameIds(produced, crashed, [.. reread]);
    }

    /// <summary>Runs the fault host on <paramref name="queue"/> until it holds every message unacked, then kills it with SIGKILL.</summary>
    private static async Task<List<Seen>> RunAndKillAsync(string queue, string api)
    {
        using var host = FaultHostProcess.Start(
            "rabbitmq-consume",
            "--uri", BrokerEndpoints.RabbitMqUri.ToString(),
            "--queue", queue,
            "--expect", Count.ToString(CultureInfo.InvariantCulture),
            "--api", api);
        await host.WaitForLineAsync(l => l.StartsWith("holding ", StringComparison.Ordinal), Deadline, Ct);
        host.KillAndWait();
        host.ExitCode.ShouldBe(137, "the consumer process should die of SIGKILL (128 + 9)");
        return [.. host.Lines.Where(l => l.StartsWith("received ", StringComparison.Ordinal)).Select(Parse)];
    }

    private static void AssertSameIds(List<Seen> produced, List<Seen> crashed, List<Seen> reread)
    {
        // The killed consumer held every message, each in the context of its own IDs, first deliveries.
        crashed.OrderBy(s => s.Index).ToList().ShouldBe(produced, "the killed consumer saw each message once, with the IDs the producer sent");

        // The successor gets exactly those messages again, flagged as redelivered, with the same IDs.
        reread.Count.ShouldBe(Count, "each unacked message is redelivered once");
        reread.OrderBy(s => s.Index).ToList().ShouldBe([.. produced.Select(s => s with { Redelivered = true })], "redeliveries carry the same correlation and message IDs");
        reread.Select(s => s.CorrelationId).Distinct().Count().ShouldBe(Count);
        CorrelationContext.Current.ShouldBeNull();
    }

    private static Seen Parse(string line)
    {
        // received <index> <correlation ID> <message ID> <redelivered>
        var parts = line.Split(' ');
        parts.Length.ShouldBe(5, line);
        return new Seen(int.Parse(parts[1], CultureInfo.InvariantCulture), parts[2], parts[3], bool.Parse(parts[4]));
    }
}
