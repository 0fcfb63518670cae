using System.Collections.Concurrent;
using Correlation.Messaging.RabbitMq.Tests.Infrastructure;
using Correlation.Messaging.TestSupport;
using MassTransit;

namespace Correlation.Messaging.RabbitMq.Tests;

[Collection(RabbitMqCollection.Name)]
public sealed class ConcurrencyTests(RabbitMqFixture fixture)
{
    [Fact]
    public async Task TwoThousandMessages_Prefetch32Concurrency16_EveryHandlerSeesOnlyItsOwnIdNoLeaks()
    {
        const int count = 2000;
        var queue = fixture.NewQueueName("conc");
        var handled = new ConcurrentDictionary<int, int>();
        var mismatches = new ConcurrentQueue<string>();
        var leakedBeforeReceive = 0;
        var current = 0;
        var maxConcurrent = 0;
        var observer = new ConcurrencyProbes.AmbientAtReceiveObserver(() => Interlocked.Increment(ref leakedBeforeReceive));
        await using var bus = await fixture.StartBusAsync((_, cfg) =>
        {
            cfg.ConnectReceiveObserver(observer);
            cfg.ReceiveEndpoint(queue, e =>
            {
                e.PrefetchCount = 32;
                e.ConcurrentMessageLimit = 16;
                e.Handler<Numbered>(async c =>
                {
                    var now = Interlocked.Increment(ref current);
                    ConcurrencyProbes.InterlockedMax(ref maxConcurrent, now);
                    try
                    {
                        Check(c, "before await");
                        await Task.Yield();
                        await Task.Delay(c.Message.Index % 3);
                        Check(c, "after await");
                        handled.AddOrUpdate(c.Message.Index, 1, (_, n) => n + 1);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref current);
                    }
                });
            });
        });

        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            using var scope = CorrelationContext.BeginScope(new CorrelationContext($"conc-{i:D4}-{Guid.NewGuid():N}"));
            await bus.Bus.Publish(new Numbered(i, scope.Context!.CorrelationId));
        }));

        (await Eventually.TrueAsync(() => handled.Count == count, TimeSpan.FromSeconds(60))).ShouldBeTrue($"handled {handled.Count} of {count}");
        mismatches.ShouldBeEmpty();
        handled.Values.ShouldAllBe(n => n == 1);
        leakedBeforeReceive.ShouldBe(0);
        maxConcurrent.ShouldBeGreaterThan(1);
        maxConcurrent.ShouldBeLessThanOrEqualTo(16);
        CorrelationContext.Current.ShouldBeNull();

        void Check(ConsumeContext<Numbered> c, string when)
        {
            var ambient = CorrelationContext.Current;
            if (ambient?.CorrelationId != c.Message.ExpectedId || c.Headers.Get<string>("X-Correlation-ID") != c.Message.ExpectedId
                || ambient.MessageId != c.MessageId?.ToString())
            {
                mismatches.Enqueue($"{c.Message.Index} {when}: saw {ambient?.CorrelationId}");
            }
        }
    }
}
