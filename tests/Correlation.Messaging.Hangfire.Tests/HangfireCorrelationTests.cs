using Correlation.Messaging.Hangfire.Internal;
using Correlation.Messaging.Hangfire.Tests.Infrastructure;
using Correlation.Messaging.TestSupport;
using Hangfire;

namespace Correlation.Messaging.Hangfire.Tests;

[Collection(HangfireCollection.Name)]
public sealed class HangfireCorrelationTests(HangfireFixture fixture)
{
    private HangfireHost Hangfire => fixture.Host;

    [Fact]
    public async Task Enqueue_InsideFlow_JobAndItsLogLinesRunInThatFlow()
    {
        string jobId;
        using (Hangfire.Propagator.BeginScope(new CorrelationContext("hf-flow-1", causationId: "m0", messageId: "req-1")))
        {
            jobId = Hangfire.Client.Enqueue<ProbeJobs>(j => j.Record("enqueued-in-flow"));
        }

        var run = (await Hangfire.WaitForRunsAsync("enqueued-in-flow")).ShouldHaveSingleItem();
        run.ShouldBe(new JobRun("enqueued-in-flow", "hf-flow-1", "req-1", jobId, CorrelationIdSource.Inbound));
        var line = Hangfire.JobLines("enqueued-in-flow").ShouldHaveSingleItem();
        line.CorrelationId.ShouldBe("hf-flow-1");
        line.Field("causation_id").ShouldBe("req-1");
        line.Field("message_id").ShouldBe(jobId);
    }

    [Fact]
    public async Task Enqueue_AsyncJob_RunsInTheFlowAfterAwaiting()
    {
        using (Hangfire.Propagator.BeginScope(new CorrelationContext("hf-flow-async", messageId: "req-async")))
        {
            Hangfire.Client.Enqueue<ProbeJobs>(j => j.RecordAsync("async-job"));
        }

        var run = (await Hangfire.WaitForRunsAsync("async-job")).ShouldHaveSingleItem();
        run.CorrelationId.ShouldBe("hf-flow-async");
        run.CausationId.ShouldBe("req-async");
    }

    [Fact]
    public async Task Enqueue_JobStoresTheCapsuleAsAParameter()
    {
        string jobId;
        using (Hangfire.Propagator.BeginScope(new CorrelationContext("hf-flow-param", messageId: "req-p")))
        {
            jobId = Hangfire.Client.Schedule<ProbeJobs>(j => j.Record("never"), TimeSpan.FromDays(1));
        }

        using var connection = Hangfire.Storage.GetConnection();
        connection.GetJobParameter(jobId, CorrelationJobFilter.ParameterName).ShouldBe("\"v1;hf-flow-param;req-p;\"");
        Hangfire.Client.Delete(jobId);
    }

    [Fact]
    public async Task Retry_EveryAttemptKeepsTheSameIdsAndJobId()
    {
        string jobId;
        using (Hangfire.Propagator.BeginScope(new CorrelationContext("hf-flow-retry", messageId: "req-r")))
        {
            jobId = Hangfire.Client.Enqueue<ProbeJobs>(j => j.FailTwiceThenRecord("retried"));
        }

        var runs = await Hangfire.WaitForRunsAsync("retried", 3);
        runs.Count.ShouldBe(3);
        runs.ShouldAllBe(r => r.CorrelationId == "hf-flow-retry" && r.CausationId == "req-r" && r.MessageId == jobId);
        Hangfire.JobLines("retried").Select(l => l.CorrelationId).ShouldBe(["hf-flow-retry", "hf-flow-retry", "hf-flow-retry"]);
    }

    [Fact]
    public async Task Continuation_CreatedInFlow_RunsInThatFlow()
    {
        using (Hangfire.Propagator.BeginScope(new CorrelationContext("hf-flow-cont", messageId: "req-c")))
        {
            var parent = Hangfire.Client.Enqueue<ProbeJobs>(j => j.Record("parent"));
            Hangfire.Client.ContinueJobWith<ProbeJobs>(parent, j => j.Record("continuation"));
        }

        var run = (await Hangfire.WaitForRunsAsync("continuation")).ShouldHaveSingleItem();
        run.CorrelationId.ShouldBe("hf-flow-cont");
        run.CausationId.ShouldBe("req-c");
        Hangfire.Recorder.For("parent").ShouldHaveSingleItem().CorrelationId.ShouldBe("hf-flow-cont");
    }

    [Fact]
    public async Task EnqueueFromJob_ChildIsCausedByTheParentJob()
    {
        string parentId;
        using (Hangfire.Propagator.BeginScope(new CorrelationContext("hf-flow-tree", messageId: "req-t")))
        {
            parentId = Hangfire.Client.Enqueue<ProbeJobs>(j => j.RecordAndEnqueueChild("tree"));
        }

        var child = (await Hangfire.WaitForRunsAsync("tree/child")).ShouldHaveSingleItem();
        child.CorrelationId.ShouldBe("hf-flow-tree");
        child.CausationId.ShouldBe(parentId);
        child.MessageId.ShouldNotBe(parentId);
    }

    [Fact]
    public async Task Recurring_TriggeredInsideFlow_EachRunGetsANewUnlinkedId()
    {
        using (Hangfire.Propagator.BeginScope(new CorrelationContext("hf-flow-recurring", messageId: "req-rec")))
        {
            Hangfire.Recurring.AddOrUpdate<ProbeJobs>("recurring-probe", j => j.Record("recurring"), Cron.Never());
            Hangfire.Recurring.Trigger("recurring-probe");
        }

        await Hangfire.WaitForRunsAsync("recurring", 1);
        Hangfire.Recurring.Trigger("recurring-probe");
        var runs = await Hangfire.WaitForRunsAsync("recurring", 2);

        runs.Select(r => r.CorrelationId).Distinct().Count().ShouldBe(2);
        runs.ShouldAllBe(r => r.CorrelationId != null && r.CorrelationId != "hf-flow-recurring" && r.CausationId == null);
        runs.ShouldAllBe(r => r.Source == CorrelationIdSource.Generated);
        Hangfire.Recurring.RemoveIfExists("recurring-probe");
    }

    [Fact]
    public async Task Enqueue_OutsideAnyFlow_EachJobGetsItsOwnNewId()
    {
        CorrelationContext.Current.ShouldBeNull();
        Hangfire.Client.Enqueue<ProbeJobs>(j => j.Record("outside"));
        Hangfire.Client.Enqueue<ProbeJobs>(j => j.Record("outside"));

        var runs = await Hangfire.WaitForRunsAsync("outside", 2);
        runs.Select(r => r.CorrelationId).Distinct().Count().ShouldBe(2);
        runs.ShouldAllBe(r => r.CorrelationId != null && r.CausationId == null && r.Source == CorrelationIdSource.Generated);
        Hangfire.JobLines("outside").Select(l => l.CorrelationId).ShouldBe(runs.Select(r => r.CorrelationId), ignoreOrder: true);
    }

    [Theory]
    [InlineData("\"v9;hf-tampered;req;\"", "CorrelationCapsuleUnreadable")]
    [InlineData("\"v1;hf-tampered\\r\\nforged;req;\"", "InvalidCorrelationIdReplaced")]
    [InlineData("not json at all", "HangfireCorrelationParameterUnreadable")]
    public async Task TamperedParameter_JobStillRunsUnderANewIdAndTheReasonIsLogged(string stored, string expectedEvent)
    {
        var label = "tampered-" + expectedEvent;
        string jobId;
        using (Hangfire.Propagator.BeginScope(new CorrelationContext("hf-flow-tampered", messageId: "req-x")))
        {
            jobId = Hangfire.Client.Schedule<ProbeJobs>(j => j.Record(label), TimeSpan.FromDays(1));
        }

        using (var connection = Hangfire.Storage.GetConnection())
        {
            connection.SetJobParameter(jobId, CorrelationJobFilter.ParameterName, stored);
        }

        Hangfire.Client.Requeue(jobId);

        var run = (await Hangfire.WaitForRunsAsync(label)).ShouldHaveSingleItem();
        run.CorrelationId.ShouldNotBeNull();
        run.CorrelationId.ShouldNotContain("hf-");
        run.Source.ShouldBe(CorrelationIdSource.Replaced);
        run.MessageId.ShouldBe(jobId);
        Hangfire.Logs.WithEventName(expectedEvent).ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Enqueue_OneThousandJobsFromOneThousandFlows_NoCrossTalk()
    {
        const int count = 1000;
        var jobIds = new string[count];
        await Parallel.ForAsync(0, count, TestContext.Current.CancellationToken, (i, _) =>
        {
            using (Hangfire.Propagator.BeginScope(new CorrelationContext($"hf-many-{i}", messageId: $"req-many-{i}")))
            {
                jobIds[i] = Hangfire.Client.Enqueue<ProbeJobs>(j => j.Record($"many-{i}"));
            }

            return ValueTask.CompletedTask;
        });

        (await Eventually.TrueAsync(
            () => Hangfire.Recorder.Runs.Count(r => r.Label.StartsWith("many-", StringComparison.Ordinal)) >= count,
            TimeSpan.FromSeconds(120),
            TestContext.Current.CancellationToken)).ShouldBeTrue();

        var wrong = 0;
        for (var i = 0; i < count; i++)
        {
            var run = Hangfire.Recorder.For($"many-{i}").ShouldHaveSingleItem();
            var line = Hangfire.JobLines($"many-{i}").ShouldHaveSingleItem();
            if (run != new JobRun($"many-{i}", $"hf-many-{i}", $"req-many-{i}", jobIds[i], CorrelationIdSource.Inbound) ||
                line.CorrelationId != $"hf-many-{i}" || line.Field("message_id") != jobIds[i])
            {
                wrong++;
            }
        }

        wrong.ShouldBe(0);
    }
}
