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
    public void Restore_DefaultItem_RunsUnderANewId()
    {
        using var scope = default(Correlated<string>).Restore(CorrelationPropagator.Default);
        scope.Context!.Source.ShouldBe(CorrelationIdSource.Generated);
    }
}
