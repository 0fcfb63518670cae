using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Tests.Deferred;

/// <summary>
/// Where .NET drops the ambient context on purpose (suppressed flow, unsafe thread-pool queueing, a timer created with
/// flow suppressed): each twin shows the loss, and the capsule carried as explicit state brings the flow back.
/// </summary>
public sealed class SuppressedFlowTests
{
    private static readonly CorrelationContext Flow = new("suppressed-flow", causationId: "m0", messageId: "m1");

    [Fact]
    public async Task SuppressFlow_TaskRun_LosesTheContext()
    {
        var seen = await InFlow(() => RunSuppressed(static () => Task.FromResult(CorrelationContext.Current)));
        seen.ShouldBeNull();
    }

    [Fact]
    public async Task SuppressFlow_TaskRunWithCapsule_RunsInTheFlow()
    {
        var seen = await InFlow(() =>
        {
            var capsule = CorrelationContext.Capture();
            return RunSuppressed(() =>
            {
                using var scope = capsule.Restore(CorrelationPropagator.Default);
                return Task.FromResult(CorrelationContext.Current);
            });
        });

        AssertInFlow(seen);
    }

    [Fact]
    public async Task UnsafeQueueUserWorkItem_LosesTheContext()
    {
        var seen = await InFlow(() =>
        {
            var done = new TaskCompletionSource<CorrelationContext?>(TaskCreationOptions.RunContinuationsAsynchronously);
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.TrySetResult(CorrelationContext.Current), done, preferLocal: false);
            return done.Task;
        });

        seen.ShouldBeNull();
    }

    [Fact]
    public async Task UnsafeQueueUserWorkItem_WithCapsuleAsState_RunsInTheFlow()
    {
        var seen = await InFlow(() =>
        {
            var work = (Capsule: CorrelationContext.Capture(), Done: new TaskCompletionSource<CorrelationContext?>(TaskCreationOptions.RunContinuationsAsynchronously));
            ThreadPool.UnsafeQueueUserWorkItem(
                static s =>
                {
                    using var scope = s.Capsule.Restore(CorrelationPropagator.Default);
                    s.Done.TrySetResult(CorrelationContext.Current);
                },
                work,
                preferLocal: false);
            return work.Done.Task;
        });

        AssertInFlow(seen);
    }

    [Fact]
    public async Task Timer_CreatedWithFlowSuppressed_LosesTheContext()
    {
        var done = new TaskCompletionSource<CorrelationContext?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Timer? timer = null;
        using (CorrelationContext.BeginScope(Flow))
        #pragma warning disable CM0001 // the negative twin: suppression loses the flow, on purpose
        using (ExecutionContext.SuppressFlow())
        #pragma warning restore CM0001
        {
            timer = new Timer(static s => ((TaskCompletionSource<CorrelationContext?>)s!).TrySetResult(CorrelationContext.Current), done, 10, Timeout.Infinite);
        }

        await using (timer)
        {
            (await done.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)).ShouldBeNull();
        }
    }

    [Fact]
    public async Task Timer_CreatedWithFlowSuppressed_WithCapsuleAsState_RunsInTheFlow()
    {
        var done = new TaskCompletionSource<CorrelationContext?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Timer? timer = null;
        using (CorrelationContext.BeginScope(Flow))
        #pragma warning disable CM0001 // the fix under test: the capsule travels as the timer state
        using (ExecutionContext.SuppressFlow())
        #pragma warning restore CM0001
        {
            timer = new Timer(
                static s =>
                {
                    var (capsule, tcs) = ((CorrelationCapsule, TaskCompletionSource<CorrelationContext?>))s!;
                    using var scope = capsule.Restore(CorrelationPropagator.Default);
                    tcs.TrySetResult(CorrelationContext.Current);
                },
                (CorrelationContext.Capture(), done),
                10,
                Timeout.Infinite);
        }

        await using (timer)
        {
            AssertInFlow(await done.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        }
    }

    private static async Task<CorrelationContext?> InFlow(Func<Task<CorrelationContext?>> action)
    {
        Task<CorrelationContext?> task;
        using (CorrelationContext.BeginScope(Flow))
        {
            task = action();
        }

        return await task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    private static Task<CorrelationContext?> RunSuppressed(Func<Task<CorrelationContext?>> work)
    {
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Run(work);
        }
    }

    private static void AssertInFlow(CorrelationContext? seen)
    {
        seen.ShouldNotBeNull();
        seen.CorrelationId.ShouldBe("suppressed-flow");
        seen.CausationId.ShouldBe("m1");
    }
}
