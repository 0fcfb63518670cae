using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Tests;

public sealed class CorrelationContextTests
{
    [Fact]
    public void BeginScope_Nested_RestoresPreviousContextExactly()
    {
        CorrelationContext.Current.ShouldBeNull();
        var outer = new CorrelationContext("outer");
        var inner = new CorrelationContext("inner", causationId: "c", messageId: "m");

        using (CorrelationContext.BeginScope(outer))
        {
            CorrelationContext.Current.ShouldBeSameAs(outer);
            using (CorrelationContext.BeginScope(inner))
            {
                CorrelationContext.Current.ShouldBeSameAs(inner);
            }

            CorrelationContext.Current.ShouldBeSameAs(outer);
        }

        CorrelationContext.Current.ShouldBeNull();
    }

    [Fact]
    public async Task BeginScope_OneThousandConcurrentFlows_NoCrossTalkAndEmptyAfterwards()
    {
        var mismatches = 0;
        var leaks = 0;

        async Task Flow(int i)
        {
            await Task.Yield();
            if (CorrelationContext.Current is not null)
            {
                Interlocked.Increment(ref leaks);
            }

            var id = $"flow-{i}";
            using (CorrelationContext.BeginScope(new CorrelationContext(id, messageId: $"msg-{i}")))
            {
                for (var step = 0; step < 5; step++)
                {
                    await Task.Delay(Random.Shared.Next(0, 3));
                    if (CorrelationContext.Current?.CorrelationId != id || CorrelationContext.Current.MessageId != $"msg-{i}")
                    {
                        Interlocked.Increment(ref mismatches);
                    }
                }
            }

            if (CorrelationContext.Current is not null)
            {
                Interlocked.Increment(ref leaks);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => Task.Run(() => Flow(i))));

        mismatches.ShouldBe(0);
        leaks.ShouldBe(0);
        CorrelationContext.Current.ShouldBeNull();
    }

    [Fact]
    public async Task BeginScope_ScopeEndsInsideAsyncMethod_DoesNotLeakIntoCaller()
    {
        static async Task Work()
        {
            using var scope = CorrelationContext.BeginScope(new CorrelationContext("inside"));
            await Task.Yield();
        }

        await Work();
        CorrelationContext.Current.ShouldBeNull();
    }

    [Fact]
    public void Accessor_SetsTheSameAmbientValueAsStaticCurrent()
    {
        var accessor = new Internal.CorrelationContextAccessor();
        var context = new CorrelationContext("via-accessor");
        accessor.Current = context;
        try
        {
            CorrelationContext.Current.ShouldBeSameAs(context);
        }
        finally
        {
            accessor.Current = null;
        }
    }

    [Theory]
    [InlineData("a\rb")]
    [InlineData("a\nb")]
    [InlineData("a\u0000b")]
    [InlineData("a\u202Eb")]
    public void Constructor_UnsafeCharacters_Throws(string value)
    {
        Should.Throw<ArgumentException>(() => new CorrelationContext(value));
        Should.Throw<ArgumentException>(() => new CorrelationContext("ok", causationId: value));
        Should.Throw<ArgumentException>(() => new CorrelationContext("ok", messageId: value));
    }

    [Fact]
    public void Constructor_LoneSurrogate_Throws() =>
        Should.Throw<ArgumentException>(() => new CorrelationContext("ab" + (char)0xD800));

    [Fact]
    public void CorrelationIdUtf8_IsCachedPerContext()
    {
        var context = new CorrelationContext("req-xyz-123", messageId: "m-1");
        var first = context.CorrelationIdUtf8;
        var second = context.CorrelationIdUtf8;

        System.Text.Encoding.UTF8.GetString(first.Span).ShouldBe("req-xyz-123");
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(first, out var a).ShouldBeTrue();
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(second, out var b).ShouldBeTrue();
        a.Array.ShouldBeSameAs(b.Array);
        System.Text.Encoding.UTF8.GetString(context.MessageIdUtf8.Span).ShouldBe("m-1");
    }

    [Fact]
    public void ForMessage_KeepsCorrelationAndMakesCurrentMessageTheCause()
    {
        var handling = new CorrelationContext("flow", causationId: "parent", messageId: "m1");
        var next = handling.ForMessage("m2");
        next.CorrelationId.ShouldBe("flow");
        next.CausationId.ShouldBe("m1");
        next.MessageId.ShouldBe("m2");
        next.CorrelationId.ShouldNotBe(next.MessageId);
    }

    [Fact]
    public void ToString_ListsLogFields()
    {
        var context = new CorrelationContext("flow", "c1", "m1");
        context.ToString().ShouldBe($"correlation_id:flow causation_id:c1 message_id:m1 correlation_depth:0 correlation_origin:{context.Origin}");
    }
}
