using System.Threading.Channels;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Tests.Deferred;

public sealed class CorrelatedChannelTests
{
    [Fact]
    public async Task WriteCorrelated_InsideFlow_ReaderRestoresTheWritersFlow()
    {
        var channel = Channel.CreateUnbounded<Correlated<int>>();
        using (CorrelationContext.BeginScope(new CorrelationContext("flow-a", messageId: "req-a")))
        {
            await channel.Writer.WriteCorrelatedAsync(1, TestContext.Current.CancellationToken);
        }

        using (CorrelationContext.BeginScope(new CorrelationContext("flow-b", messageId: "req-b")))
        {
            channel.Writer.TryWriteCorrelated(2).ShouldBeTrue();
        }

        channel.Writer.TryWriteCorrelated(3).ShouldBeTrue();
        channel.Writer.Complete();

        var seen = new List<(int, string, string?)>();
        await foreach (var item in channel.Reader.ReadAllAsync(TestContext.Current.CancellationToken))
        {
            using var scope = item.Restore(CorrelationPropagator.Default);
            seen.Add((item.Value, CorrelationContext.Current!.CorrelationId, CorrelationContext.Current.CausationId));
        }

        seen[0].ShouldBe((1, "flow-a", "req-a"));
        seen[1].ShouldBe((2, "flow-b", "req-b"));
        seen[2].Item2.ShouldNotBe("flow-a");
        seen[2].Item2.ShouldNotBe("flow-b");
        seen[2].Item3.ShouldBeNull();
    }

    [Fact]
    public async Task WorkerPool_OneThousandItemsFromOneThousandFlows_EachProcessedInItsOwnFlow()
    {
        // A consumed batch split across a worker pool: one capsule per record, four readers, no cross-talk.
        const int count = 1000;
        var channel = Channel.CreateBounded<Correlated<int>>(64);
        var seen = new (string? CorrelationId, string? CausationId)[count];
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            await foreach (var item in channel.Reader.ReadAllAsync(TestContext.Current.CancellationToken))
            {
                using var scope = item.Restore(CorrelationPropagator.Default);
                await Task.Yield();
                seen[item.Value] = (CorrelationContext.Current?.CorrelationId, CorrelationContext.Current?.CausationId);
            }
        })).ToArray();

        for (var i = 0; i < count; i++)
        {
            using (CorrelationContext.BeginScope(new CorrelationContext($"record-flow-{i}", messageId: $"record-{i}")))
            {
                await channel.Writer.WriteCorrelatedAsync(i, TestContext.Current.CancellationToken);
            }
        }

        channel.Writer.Complete();
        await Task.WhenAll(workers);
        Enumerable.Range(0, count).Count(i => seen[i] != ($"record-flow-{i}", $"record-{i}")).ShouldBe(0);
    }

    [Fact]
    public void Restore_DefaultItem_RunsUnderANewId()
    {
        using var scope = default(Correlated<string>).Restore(CorrelationPropagator.Default);
        scope.Context!.Source.ShouldBe(CorrelationIdSource.Generated);
    }
}
