using Correlation.Messaging.Analyzers.FlowSuppressed;
using Correlation.Messaging.Analyzers.Tests.Infrastructure;

namespace Correlation.Messaging.Analyzers.Tests.FlowSuppressed;

/// <summary>
/// CM0001 is true: the code it flags, compiled and run against the real Correlation.Messaging.Core, loses the
/// correlation ID; the fixed code (capture before, restore in the callback) keeps it, and is not flagged.
/// </summary>
public sealed class FlowSuppressedRuntimeTests
{
    private const string Source = """
        using System.Threading;
        using Correlation.Messaging;

        public static class Probe
        {
            public static string? Flagged(string id)
            {
                using var scope = CorrelationContext.BeginScope(new CorrelationContext(id));
                string? seen = "not run";
                using var done = new ManualResetEventSlim();
                ThreadPool.UnsafeQueueUserWorkItem(_ => { seen = CorrelationContext.Current?.CorrelationId; done.Set(); }, null);
                done.Wait();
                return seen;
            }

            public static string? SuppressedThenQueued(string id)
            {
                using var scope = CorrelationContext.BeginScope(new CorrelationContext(id));
                string? seen = "not run";
                using var done = new ManualResetEventSlim();
                using (ExecutionContext.SuppressFlow())
                {
                    ThreadPool.QueueUserWorkItem(_ => { seen = CorrelationContext.Current?.CorrelationId; done.Set(); });
                }

                done.Wait();
                return seen;
            }

            public static string? Fixed(string id)
            {
                using var scope = CorrelationContext.BeginScope(new CorrelationContext(id));
                string? seen = "not run";
                using var done = new ManualResetEventSlim();
                var captured = CorrelationContext.Current!;
                ThreadPool.UnsafeQueueUserWorkItem(_ =>
                {
                    using var restored = CorrelationContext.BeginScope(captured);
                    seen = CorrelationContext.Current?.CorrelationId;
                    done.Set();
                }, null);
                done.Wait();
                return seen;
            }
        }
        """;

    [Fact]
    public async Task FlaggedCode_WhenRun_LosesTheCorrelationId()
    {
        var probe = await Probe.CompileAsync(Source, new FlowSuppressedAnalyzer());

        probe.Reports("CM0001", "public static string? Flagged(", "public static").ShouldBeTrue();
        probe.Invoke("Probe", "Flagged", "flow-1").ShouldBeNull();
    }

    [Fact]
    public async Task SuppressFlowScope_WhenRun_LosesTheCorrelationId()
    {
        var probe = await Probe.CompileAsync(Source, new FlowSuppressedAnalyzer());

        probe.Reports("CM0001", "public static string? SuppressedThenQueued(", "public static").ShouldBeTrue();
        probe.Invoke("Probe", "SuppressedThenQueued", "flow-2").ShouldBeNull();
    }

    [Fact]
    public async Task FixedCode_WhenRun_KeepsTheCorrelationIdAndIsNotFlagged()
    {
        var probe = await Probe.CompileAsync(Source, new FlowSuppressedAnalyzer());

        probe.Reports("CM0001", "public static string? Fixed(", "public static").ShouldBeFalse();
        probe.Invoke("Probe", "Fixed", "flow-3").ShouldBe("flow-3");
    }
}
