using System.Collections.Concurrent;
using System.Diagnostics;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq.Tests.Infrastructure;
using Correlation.Messaging.TestSupport;
using MassTransit;
using RabbitMQ.Client;

namespace Correlation.Messaging.RabbitMq.Tests.Reliability;

/// <summary>
/// The broker-restart test stops the RabbitMQ application: it runs in a collection of its own that xunit runs alone,
/// after the parallel collections, so no other test of this project sees the broker go away.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RabbitMqRestartCollection : ICollectionFixture<RabbitMqFixture>
{
    public const string Name = "RabbitMQ broker restart (runs alone)";
}

/// <summary>The restart scenario's message: its index and the correlation ID its producer meant it to carry.</summary>
public sealed record RestartMessage(int Index, string ExpectedId);

/// <summary>
/// Fault: <c>rabbitmqctl stop_app</c> / <c>start_app</c> while MassTransit publishes 1,000 messages with publisher
/// confirms to a durable queue. A publish that is not confirmed is retried with the same message ID and correlation ID
/// (so a message the broker kept although its confirm was lost is recognised as a duplicate). Every confirmed message
/// is consumed, each with its own IDs: none is lost, none carries another message's ID. Publishing stops at message
/// 400 until a watcher connection sees the broker go down, so the outage always falls mid-stream, however long
/// <c>stop_app</c> takes on a loaded machine.
/// </summary>
[Collection(RabbitMqRestartCollection.Name)]
public sealed class BrokerRestartTests(RabbitMqFixture fixture)
{
    private const int Count = 1_000;
    private const int StopAfterConfirmed = 300;

    /// <summary>Publishers wait before this index until the broker is seen down, so stop_app always lands mid-stream however slow it is.</summary>
    private const int HoldUntilDownAt = 400;
    private const int Publishers = 4;
    private static readonly TimeSpan PaceWhileRestarting = TimeSpan.FromMilliseconds(40);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PublishDeadline = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One delivery as the handler saw it.</summary>
    private sealed record Seen(int Index, string ExpectedId, string? AmbientId, string? HeaderId, string? AmbientMessageId, Guid? MessageId, bool Redelivered);

    [Fact]
    public async Task StopAppStartAppWhilePublishing_EveryConfirmedMessageConsumedOnceOrMoreWithItsOwnIds()
    {
        var ctl = RabbitMqCtl.Require();
        var queue = fixture.NewQueueName("restart");
        var run = Guid.NewGuid().ToString("N")[..8];
        var messageIds = Enumerable.Range(0, Count).Select(_ => NewId.NextGuid()).ToArray();
        string IdOf(int i) => $"restart-{run}-{i:D4}";

        var consumed = new ConcurrentQueue<Seen>();
        await using var consumer = await fixture.StartBusAsync((_, cfg) => cfg.ReceiveEndpoint(queue, e =>
        {
            e.PrefetchCount = 32;
            e.Handler<RestartMessage>(c =>
            {
                var ambient = CorrelationContext.Current;
                consumed.Enqueue(new Seen(
                    c.Message.Index,
                    c.Message.ExpectedId,
                    ambient?.CorrelationId,
                    c.Headers.Get<string>(CorrelationHeaders.CorrelationId),
                    ambient?.MessageId,
                    c.MessageId,
                    c.ReceiveContext.Redelivered));
                return Task.CompletedTask;
            });
        }));
        await using var publisher = await fixture.StartBusAsync((_, _) => { });

        // The rabbitmqctl found must control the broker at RABBITMQ_URI, or stopping it would prove nothing.
        (await ctl.RunAsync("list_queues", "--no-table-headers", "--quiet", "name")).ShouldContain(queue, Case.Sensitive, $"{ctl.Description} does not see the queue declared through RABBITMQ_URI");

        // A plain connection without recovery: its shutdown proves the broker really went away.
        var brokerWentAway = 0;
        var brokerDown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var watcher = await new ConnectionFactory { Uri = BrokerEndpoints.RabbitMqUri, AutomaticRecoveryEnabled = false }.CreateConnectionAsync(Ct);
        watcher.ConnectionShutdownAsync += (_, _) =>
        {
            Interlocked.Exchange(ref brokerWentAway, 1);
            brokerDown.TrySetResult();
            return Task.CompletedTask;
        };

        var confirmed = new ConcurrentDictionary<int, int>(); // index -> attempts it took
        var failedAttempts = 0;
        Exception? lastFailure = null;
        var confirmedAtStop = -1;
        var outage = Stopwatch.StartNew();
        using var stopRestart = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var restart = Task.Run(
            async () =>
            {
                (await Eventually.TrueAsync(() => confirmed.Count >= StopAfterConfirmed, PublishDeadline, stopRestart.Token)).ShouldBeTrue();
                outage.Restart();
                await ctl.RunAsync("stop_app");
                confirmedAtStop = confirmed.Count;
                await Task.Delay(Outage, stopRestart.Token);
                await ctl.RunAsync("start_app");
                await ctl.WaitUntilAnsweringAsync(TimeSpan.FromSeconds(60));
                outage.Stop();
            },
            stopRestart.Token);

        try
        {
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, Publishers).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < Count)
                {
                    if (i >= HoldUntilDownAt && !brokerDown.Task.IsCompleted)
                    {
                        // Not a timing bet: the rest of the stream is published only once the broker is seen down.
                        await brokerDown.Task.WaitAsync(PublishDeadline, Ct);
                    }

                    confirmed[i] = await PublishUntilConfirmedAsync(i);
                    if (!restart.IsCompleted)
                    {
                        await Task.Delay(PaceWhileRestarting, Ct); // keep the stream going across the restart
                    }
                }
            }));
            await restart;
        }
        finally
        {
            // Whatever happened, leave the broker running and answering for the tests that follow.
            await stopRestart.CancelAsync();
            try
            {
                await restart;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                lastFailure ??= ex;
            }

            await ctl.RunAsync("start_app");
            await ctl.WaitUntilAnsweringAsync(TimeSpan.FromSeconds(90));
        }

        var all = await Eventually.TrueAsync(() => consumed.Select(s => s.Index).Distinct().Count() >= confirmed.Count, TimeSpan.FromSeconds(90), Ct);
        var deliveries = consumed.ToList();
        var distinct = deliveries.Select(s => s.Index).ToHashSet();
        var lost = confirmed.Keys.Where(i => !distinct.Contains(i)).Order().ToList();
        var wrong = deliveries.Where(s =>
            s.ExpectedId != IdOf(s.Index) || s.AmbientId != IdOf(s.Index) || s.HeaderId != IdOf(s.Index)
            || s.MessageId != messageIds[s.Index] || s.AmbientMessageId != messageIds[s.Index].ToString("D")).ToList();
        var summary = $"published {Count}, confirmed {confirmed.Count} ({confirmed.Values.Count(a => a > 1)} after a retry, {failedAttempts} failed attempts), " +
                      $"stop_app at {confirmedAtStop} confirmed, outage {outage.Elapsed.TotalSeconds:F1} s; consumed {deliveries.Count} deliveries of " +
                      $"{distinct.Count} messages ({deliveries.Count - distinct.Count} duplicates, {deliveries.Count(d => d.Redelivered)} redelivered), " +
                      $"lost {lost.Count}, wrong ID {wrong.Count}";
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        TestContext.Current.SendDiagnosticMessage(summary);

        brokerWentAway.ShouldBe(1, "the broker did not go away: " + summary);
        confirmedAtStop.ShouldBeInRange(StopAfterConfirmed, HoldUntilDownAt, "stop_app must happen mid-stream: " + summary);
        confirmed.Count.ShouldBe(Count, $"every publish is eventually confirmed ({summary}); last failure: {lastFailure}");
        lost.ShouldBeEmpty("confirmed but never consumed: " + summary);
        all.ShouldBeTrue(summary);
        wrong.ShouldBeEmpty("a delivery carried another message's IDs: " + summary);
        CorrelationContext.Current.ShouldBeNull();

        async Task<int> PublishUntilConfirmedAsync(int i)
        {
            var deadline = DateTime.UtcNow + PublishDeadline;
            for (var attempt = 1; ; attempt++)
            {
                using var scope = CorrelationContext.BeginScope(new CorrelationContext(IdOf(i)));
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
                timeout.CancelAfter(AttemptTimeout);
                try
                {
                    // Same message ID on every attempt: a message kept by the broker although its confirm was lost is a recognisable duplicate.
                    await publisher.Bus.Publish(new RestartMessage(i, IdOf(i)), c => c.MessageId = messageIds[i], timeout.Token);
                    return attempt;
                }
                catch (Exception ex) when (!Ct.IsCancellationRequested && DateTime.UtcNow < deadline)
                {
                    Interlocked.Increment(ref failedAttempts);
                    lastFailure = ex;
                    await Task.Delay(250, Ct);
                }
            }
        }
    }
}
