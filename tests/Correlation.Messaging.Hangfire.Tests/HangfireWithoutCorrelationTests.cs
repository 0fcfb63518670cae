using Correlation.Messaging.Hangfire.Tests.Infrastructure;
using Hangfire;

namespace Correlation.Messaging.Hangfire.Tests;

/// <summary>The negative twin: the same host and job without the correlation filter loses the flow.</summary>
[Collection(HangfireCollection.Name)]
public sealed class HangfireWithoutCorrelationTests
{
    [Fact]
    public async Task Enqueue_InsideFlowWithoutTheFilter_JobLosesTheFlow()
    {
        await using var host = await HangfireHost.StartAsync(withCorrelation: false);
        using (host.Propagator.BeginScope(new CorrelationContext("hf-flow-lost", messageId: "req-lost")))
        {
            host.Client.Enqueue<ProbeJobs>(j => j.Record("without-filter"));
        }

        var run = (await host.WaitForRunsAsync("without-filter")).ShouldHaveSingleItem();
        run.CorrelationId.ShouldBeNull();
        host.JobLines("without-filter").ShouldHaveSingleItem().CorrelationId.ShouldBeNull();
    }
}
