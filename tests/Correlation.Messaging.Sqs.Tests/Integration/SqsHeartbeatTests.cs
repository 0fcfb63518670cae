using System.Collections.Concurrent;
using Amazon.SQS.Model;

namespace Correlation.Messaging.Sqs.Tests.Integration;

/// <summary>The processor's visibility heartbeat, against the emulator's real visibility timer.</summary>
[Collection(SqsCollection.Name)]
public sealed class SqsHeartbeatTests(SqsFixture fixture)
{
    private const int VisibilityTimeoutSeconds = 2;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Process_HandlerRunsThreeVisibilityTimeouts_NoDuplicateDelivery()
    {
        var (deliveries, left) = await RunLongHandlerAsync(heartbeat: null);

        deliveries.ShouldBe(1, "the heartbeat kept the message invisible while its handler ran");
        left.ShouldBe(0);
        fixture.Logs.WithEventName("VisibilityExtended").ShouldContain(l => l.CorrelationId == "heartbeat-on");
    }

    [Fact]
    public async Task Process_HeartbeatOff_TheSameLongHandlerSeesItsMessageAgain()
    {
        // The failing twin: without the heartbeat the message comes back while its first handler still runs.
        var (deliveries, _) = await RunLongHandlerAsync(heartbeat: TimeSpan.Zero);

        deliveries.ShouldBeGreaterThanOrEqualTo(2);
    }

    private async Task<(int Deliveries, int Left)> RunLongHandlerAsync(TimeSpan? heartbeat)
    {
        var queue = await fixture.CreateQueueAsync("heartbeat", new() { ["VisibilityTimeout"] = VisibilityTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var id = heartbeat is null ? "heartbeat-on" : "heartbeat-off";
        using (CorrelationContext.BeginScope(new CorrelationContext(id)))
        {
            await fixture.Client.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = "long" }, Ct);
        }

        var deliveries = new ConcurrentQueue<string>();
        var finished = 0;
        var run = TimeSpan.FromSeconds(3 * VisibilityTimeoutSeconds);
        await fixture.RunProcessorUntilAsync(
            queue,
            async (message, ct) =>
            {
                deliveries.Enqueue(CorrelationContext.Current!.CorrelationId);
                await Task.Delay(run, ct);
                Interlocked.Increment(ref finished);
            },
            () => Volatile.Read(ref finished) >= 1 && deliveries.Count == Volatile.Read(ref finished),
            maxConcurrency: 2,
            configure: o => o.HeartbeatInterval = heartbeat);

        deliveries.ShouldAllBe(d => d == id);
        return (deliveries.Count, await fixture.CountMessagesAsync(queue));
    }
}
