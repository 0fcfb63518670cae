using Correlation.Messaging.Analyzers.HandOff;
using Correlation.Messaging.Analyzers.Tests.Infrastructure;

namespace Correlation.Messaging.Analyzers.Tests.HandOff;

/// <summary>
/// CM0002 is true: an item handed from a flow to a hosted service, compiled and run against the real packages, is
/// handled there without the correlation ID; the fixed hand-off (the item carries the context, the reader restores it)
/// keeps it and is not flagged.
/// </summary>
public sealed class HandOffRuntimeTests
{
    private const string Source = """
        using System.Threading;
        using System.Threading.Channels;
        using System.Threading.Tasks;
        using Correlation.Messaging;
        using Microsoft.Extensions.Hosting;

        public sealed record Work(string OrderId);

        public sealed record CarriedWork(string OrderId, CorrelationContext? Context);

        public sealed class LosingWorker(Channel<Work> queue, TaskCompletionSource<string?> seen) : BackgroundService
        {
            protected override async Task ExecuteAsync(CancellationToken stoppingToken)
            {
                await queue.Reader.ReadAsync(stoppingToken);
                seen.TrySetResult(CorrelationContext.Current?.CorrelationId);
            }
        }

        public sealed class KeepingWorker(Channel<CarriedWork> queue, TaskCompletionSource<string?> seen) : BackgroundService
        {
            protected override async Task ExecuteAsync(CancellationToken stoppingToken)
            {
                var item = await queue.Reader.ReadAsync(stoppingToken);
                using var scope = item.Context is null ? default : CorrelationContext.BeginScope(item.Context);
                seen.TrySetResult(CorrelationContext.Current?.CorrelationId);
            }
        }

        public static class Run
        {
            public static async Task<string?> Flagged(string id)
            {
                var queue = Channel.CreateUnbounded<Work>();
                var seen = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
                using var worker = new LosingWorker(queue, seen);
                await worker.StartAsync(CancellationToken.None); // the host starts it, outside any flow
                using (CorrelationContext.BeginScope(new CorrelationContext(id)))
                {
                    queue.Writer.TryWrite(new Work("order-1")); // written inside the flow
                }

                return await seen.Task.WaitAsync(System.TimeSpan.FromSeconds(10));
            }

            public static async Task<string?> Fixed(string id)
            {
                var queue = Channel.CreateUnbounded<CarriedWork>();
                var seen = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
                using var worker = new KeepingWorker(queue, seen);
                await worker.StartAsync(CancellationToken.None);
                using (CorrelationContext.BeginScope(new CorrelationContext(id)))
                {
                    queue.Writer.TryWrite(new CarriedWork("order-1", CorrelationContext.Current));
                }

                return await seen.Task.WaitAsync(System.TimeSpan.FromSeconds(10));
            }
        }
        """;

    [Fact]
    public async Task FlaggedHandOff_WhenRun_LosesTheCorrelationId()
    {
        var probe = await Probe.CompileAsync(Source, new HandOffAnalyzer());

        probe.Reports("CM0002", "public static async Task<string?> Flagged(", "public static").ShouldBeTrue();
        var seen = await (Task<string?>)probe.Invoke("Run", "Flagged", "flow-1")!;
        seen.ShouldBeNull();
    }

    [Fact]
    public async Task FixedHandOff_WhenRun_KeepsTheCorrelationIdAndIsNotFlagged()
    {
        var probe = await Probe.CompileAsync(Source, new HandOffAnalyzer());

        probe.Reports("CM0002", "public static async Task<string?> Fixed(", "public static").ShouldBeFalse();
        var seen = await (Task<string?>)probe.Invoke("Run", "Fixed", "flow-2")!;
        seen.ShouldBe("flow-2");
    }
}
