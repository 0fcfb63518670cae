using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq.Tests.Infrastructure;
using Correlation.Messaging.TestSupport;
using MassTransit;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Correlation.Messaging.RabbitMq.Tests.Reliability;

/// <summary>The concurrency scenario's message: its index and the correlation ID it must be handled with.</summary>
public sealed record ConcurrentMessage(int Index, string ExpectedId);

/// <summary>
/// 10,000 messages with distinct correlation IDs, handled at high parallelism; each handler checks, before and after
/// its awaits, that the ambient context is its own message's (no cross-talk), and nothing is ambient where no message
/// is being handled (no leaked context).
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class HighConcurrencyTests(RabbitMqFixture fixture)
{
    private const int Count = 10_000;
    private const int InFlightPublishes = 64;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Waits until <paramref name="count"/> reaches <paramref name="expected"/>, for as long as it keeps rising: the
    /// throughput of 10,000 messages depends on the machine's load (a loaded 2-core CI machine handled 7,000 in 90 s),
    /// but a lost message stops the count for good. Fails after <see cref="Deadline"/> without progress, or 10 minutes.
    /// </summary>
    private static async Task<bool> WhileProgressingAsync(Func<int> count, int expected)
    {
        var last = -1;
        var stalledSince = DateTime.UtcNow;
        var giveUp = DateTime.UtcNow.AddMinutes(10);
        while (DateTime.UtcNow < giveUp)
        {
            var now = count();
            if (now >= expected)
            {
                return true;
            }

            if (now != last)
            {
                (last, stalledSince) = (now, DateTime.UtcNow);
            }
            else if (DateTime.UtcNow - stalledSince > Deadline)
            {
                return false;
            }

            await Task.Delay(100, Ct);
        }

        return false;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// MassTransit: one receive endpoint whose prefetch and concurrent message limit are both 1,000 (MassTransit caps
    /// nothing below the prefetch; the limit of the API is what the channel's prefetch lets in). The first handlers wait
    /// at a barrier until 17 run at once, so the check that the limit was raised never depends on the machine's speed.
    /// </summary>
    [Fact]
    public async Task MassTransit_TenThousandDistinctIds_Concurrency1000_NoCrossTalkNoLeak()
    {
        const int limit = 1_000;
        var queue = fixture.NewQueueName("conc10k");
        var handled = new ConcurrentDictionary<int, int>();
        var crossTalk = new ConcurrentQueue<string>();
        var leaked = 0;
        var current = 0;
        var maxConcurrent = 0;

        // A barrier: the first handlers wait until 17 run at once (or 30 s pass), so reaching more than MassTransit's
        // default of 16 depends on the configured limit, not on whether the publishers outpace the handlers.
        const int barrier = 17;
        var barrierReached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var bus = await fixture.StartBusAsync((_, cfg) =>
        {
            cfg.ConnectReceiveObserver(new ConcurrencyProbes.AmbientAtReceiveObserver(() => Interlocked.Increment(ref leaked)));
            cfg.ReceiveEndpoint(queue, e =>
            {
                e.PrefetchCount = limit;
                e.ConcurrentMessageLimit = limit;
                e.Handler<ConcurrentMessage>(async c =>
                {
                    var now = Interlocked.Increment(ref current);
                    ConcurrencyProbes.InterlockedMax(ref maxConcurrent, now);
                    try
                    {
                        if (now >= barrier)
                        {
                            barrierReached.TrySetResult();
                        }
                        else if (!barrierReached.Task.IsCompleted)
                        {
                            await Task.WhenAny(barrierReached.Task, Task.Delay(TimeSpan.FromSeconds(30)));
                        }

                        Check(c.Message, c.MessageId, "before await");
                        await Task.Yield();
                        await Task.Delay(1 + (c.Message.Index % 3));
                        Check(c.Message, c.MessageId, "after await");
                        handled.AddOrUpdate(c.Message.Index, 1, (_, n) => n + 1);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref current);
                    }
                });
            });
        });

        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, InFlightPublishes).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Count)
            {
                using var scope = CorrelationContext.BeginScope(new CorrelationContext($"c10k-{i:D5}-{Guid.NewGuid():N}"));
                await bus.Bus.Publish(new ConcurrentMessage(i, scope.Context!.CorrelationId), Ct);
            }
        }));

        (await WhileProgressingAsync(() => handled.Count, Count)).ShouldBeTrue($"handled {handled.Count} of {Count}");
        var summary = $"MassTransit: {Count} messages, max concurrent handlers {maxConcurrent} (limit {limit}), cross-talk {crossTalk.Count}, leaked {leaked}";
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        TestContext.Current.SendDiagnosticMessage(summary);
        crossTalk.ShouldBeEmpty(summary);
        handled.Values.ShouldAllBe(n => n == 1);
        leaked.ShouldBe(0, summary);
        barrierReached.Task.IsCompleted.ShouldBeTrue(summary + ": 17 handlers never ran at once");
        maxConcurrent.ShouldBeGreaterThan(16, summary); // more than MassTransit's default: the limit was really raised
        CorrelationContext.Current.ShouldBeNull();

        void Check(ConcurrentMessage message, Guid? messageId, string when)
        {
            var ambient = CorrelationContext.Current;
            if (ambient?.CorrelationId != message.ExpectedId || ambient.MessageId != messageId?.ToString("D"))
            {
                crossTalk.Enqueue($"{message.Index} {when}: saw {ambient?.CorrelationId}");
            }
        }
    }

    /// <summary>
    /// RabbitMQ.Client: a <see cref="CorrelatingBasicConsumer"/> on a channel with a consumer dispatch concurrency of 64 and
    /// a prefetch of 1,000. A plain consumer on the same channel (the same dispatcher) receives a message after every tenth
    /// and checks that nothing is ambient there: a context left behind by a correlating delivery would show.
    /// </summary>
    [Fact]
    public async Task CorrelatingBasicConsumer_TenThousandDistinctIds_DispatchConcurrency64_NoCrossTalkNoLeak()
    {
        const ushort dispatchConcurrency = 64;
        var queue = fixture.NewQueueName("conc10k-client");
        var plainQueue = fixture.NewQueueName("conc10k-plain");
        try
        {
            var connection = await fixture.ConnectionAsync();
            await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(false, false, consumerDispatchConcurrency: dispatchConcurrency), Ct);
            await using var publisher = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), Ct);
            foreach (var q in (string[])[queue, plainQueue])
            {
                await channel.QueueDeclareAsync(q, durable: true, exclusive: false, autoDelete: false, cancellationToken: Ct);
            }

            await channel.BasicQosAsync(0, 1_000, global: false, Ct);

            var handled = new ConcurrentDictionary<int, int>();
            var crossTalk = new ConcurrentQueue<string>();
            var leaked = 0;
            var plainSeen = 0;
            var current = 0;
            var maxConcurrent = 0;
            var consumer = new CorrelatingBasicConsumer(channel, new CorrelationPropagator(new CorrelationOptions()));
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                ConcurrencyProbes.InterlockedMax(ref maxConcurrent, Interlocked.Increment(ref current));
                try
                {
                    var expected = Encoding.UTF8.GetString(delivery.Body.Span);
                    Check(expected, delivery, "before await");
                    await Task.Yield();
                    await Task.Delay(1);
                    Check(expected, delivery, "after await");
                    handled.AddOrUpdate(int.Parse(expected.AsSpan(5, 5), CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
                    await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                }
                finally
                {
                    Interlocked.Decrement(ref current);
                }
            };
            var plain = new AsyncEventingBasicConsumer(channel);
            plain.ReceivedAsync += async (_, delivery) =>
            {
                if (CorrelationContext.Current is not null)
                {
                    Interlocked.Increment(ref leaked);
                }

                Interlocked.Increment(ref plainSeen);
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
            };
            await channel.BasicConsumeAsync(queue, autoAck: false, consumer, Ct);
            await channel.BasicConsumeAsync(plainQueue, autoAck: false, plain, Ct);

            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, InFlightPublishes).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < Count)
                {
                    var id = $"c10k-{i:D5}-{Guid.NewGuid():N}";
                    using (CorrelationContext.BeginScope(new CorrelationContext(id)))
                    {
                        await publisher.BasicPublishWithCorrelationAsync(
                            string.Empty, queue, Encoding.UTF8.GetBytes(id), new BasicProperties { MessageId = Guid.NewGuid().ToString("D") }, cancellationToken: Ct);
                    }

                    if (i % 10 == 0)
                    {
                        await publisher.BasicPublishAsync(string.Empty, plainQueue, Encoding.UTF8.GetBytes("plain"), Ct);
                    }
                }
            }));

            (await WhileProgressingAsync(() => handled.Count + Volatile.Read(ref plainSeen), Count + (Count / 10)))
                .ShouldBeTrue($"handled {handled.Count} of {Count}, plain {plainSeen} of {Count / 10}");
            var summary = $"RabbitMQ.Client: {Count} messages, max concurrent handlers {maxConcurrent} (dispatch concurrency {dispatchConcurrency}), " +
                          $"cross-talk {crossTalk.Count}, leaked into {leaked} of {plainSeen} plain deliveries";
            TestContext.Current.TestOutputHelper?.WriteLine(summary);
            TestContext.Current.SendDiagnosticMessage(summary);
            crossTalk.ShouldBeEmpty(summary);
            handled.Count.ShouldBe(Count, summary);
            plainSeen.ShouldBe(Count / 10, summary);
            handled.Values.ShouldAllBe(n => n == 1);
            leaked.ShouldBe(0, summary);
            maxConcurrent.ShouldBeGreaterThan(1, summary);
            CorrelationContext.Current.ShouldBeNull();

            void Check(string expected, BasicDeliverEventArgs delivery, string when)
            {
                var ambient = CorrelationContext.Current;
                if (ambient?.CorrelationId != expected || ambient.MessageId != delivery.BasicProperties.MessageId)
                {
                    crossTalk.Enqueue($"{expected} {when}: saw {ambient?.CorrelationId}");
                }
            }
        }
        finally
        {
            await fixture.CleanupAsync();
        }
    }
}
