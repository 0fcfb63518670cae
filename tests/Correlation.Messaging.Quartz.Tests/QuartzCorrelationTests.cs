using Correlation.Messaging.Quartz;
using Quartz;

namespace Correlation.Messaging.Quartz.Tests;

public sealed class QuartzCorrelationTests
{
    [Fact]
    public async Task Trigger_ScheduledInsideFlow_JobAndItsLogLinesRunInThatFlow()
    {
        await using var quartz = await QuartzHost.StartAsync(withCorrelation: true);
        using (quartz.Propagator.BeginScope(new CorrelationContext("qz-flow-1", causationId: "m0", messageId: "req-q1")))
        {
            await quartz.ScheduleAsync("in-flow", t => t.WithCorrelation());
        }

        var firing = (await quartz.WaitForFiringsAsync("in-flow")).ShouldHaveSingleItem();
        firing.CorrelationId.ShouldBe("qz-flow-1");
        firing.CausationId.ShouldBe("req-q1");
        firing.MessageId.ShouldBe(firing.FireInstanceId);
        var line = quartz.JobLines("in-flow").ShouldHaveSingleItem();
        line.CorrelationId.ShouldBe("qz-flow-1");
        line.Field("causation_id").ShouldBe("req-q1");
        line.Field("message_id").ShouldBe(firing.FireInstanceId);
    }

    [Fact]
    public async Task Trigger_ScheduledInsideFlow_EveryFiringOfARepeatingTriggerKeepsTheFlow()
    {
        await using var quartz = await QuartzHost.StartAsync(withCorrelation: true);
        using (quartz.Propagator.BeginScope(new CorrelationContext("qz-flow-repeat", messageId: "req-rep")))
        {
            await quartz.ScheduleAsync("repeat-in-flow", t => t.WithCorrelation()
                .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromMilliseconds(100)).WithRepeatCount(2)));
        }

        var firings = await quartz.WaitForFiringsAsync("repeat-in-flow", 3);
        firings.ShouldAllBe(f => f.CorrelationId == "qz-flow-repeat" && f.CausationId == "req-rep");
        firings.Select(f => f.FireInstanceId).Distinct().Count().ShouldBe(3);
    }

    [Fact]
    public async Task Trigger_ScheduledOutsideAnyFlow_EachFiringGetsANewId()
    {
        await using var quartz = await QuartzHost.StartAsync(withCorrelation: true);
        CorrelationContext.Current.ShouldBeNull();
        await quartz.ScheduleAsync("outside", t => t.WithCorrelation()
            .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromMilliseconds(100)).WithRepeatCount(2)));

        var firings = await quartz.WaitForFiringsAsync("outside", 3);
        firings.Select(f => f.CorrelationId).Distinct().Count().ShouldBe(3);
        firings.ShouldAllBe(f => f.CorrelationId != null && f.CausationId == null && f.Source == CorrelationIdSource.Generated);
        quartz.JobLines("outside").Select(l => l.CorrelationId).ShouldBe(firings.Select(f => f.CorrelationId), ignoreOrder: true);
    }

    [Fact]
    public async Task TriggerJob_WithCorrelatedDataMap_RunsInTheFlow()
    {
        await using var quartz = await QuartzHost.StartAsync(withCorrelation: true);
        var job = JobBuilder.Create<ProbeJob>().WithIdentity("job-manual").UsingJobData(ProbeJob.LabelKey, "manual").PersistJobDataAfterExecution(false).Build();
        await quartz.Scheduler.ScheduleJob(job, TriggerBuilder.Create().ForJob(job).StartAt(DateTimeOffset.UtcNow.AddDays(1)).Build(), cancellationToken: TestContext.Current.CancellationToken);

        using (quartz.Propagator.BeginScope(new CorrelationContext("qz-flow-manual", messageId: "req-m")))
        {
            await quartz.Scheduler.TriggerJob(job.Key, new JobDataMap().WithCorrelation(), TestContext.Current.CancellationToken);
        }

        var firing = (await quartz.WaitForFiringsAsync("manual")).ShouldHaveSingleItem();
        firing.CorrelationId.ShouldBe("qz-flow-manual");
        firing.CausationId.ShouldBe("req-m");
    }

    [Theory]
    [InlineData("v1;qz-tampered\r\nforged;req;", "InvalidCorrelationIdReplaced")]
    [InlineData("v7;qz-tampered;req;", "CorrelationCapsuleUnreadable")]
    public async Task TamperedCapsule_JobStillRunsUnderANewIdAndTheReasonIsLogged(string stored, string expectedEvent)
    {
        await using var quartz = await QuartzHost.StartAsync(withCorrelation: true);
        await quartz.ScheduleAsync("tampered", t => t.UsingJobData(CorrelationJobData.Key, stored));

        var firing = (await quartz.WaitForFiringsAsync("tampered")).ShouldHaveSingleItem();
        firing.CorrelationId.ShouldNotBeNull();
        firing.CorrelationId.ShouldNotContain("qz-");
        firing.Source.ShouldBe(CorrelationIdSource.Replaced);
        quartz.Logs.WithEventName(expectedEvent).ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Trigger_ScheduledInsideFlowWithoutTheMiddleware_JobLosesTheFlow()
    {
        await using var quartz = await QuartzHost.StartAsync(withCorrelation: false);
        using (quartz.Propagator.BeginScope(new CorrelationContext("qz-flow-lost", messageId: "req-lost")))
        {
            await quartz.ScheduleAsync("without-middleware", t => t.WithCorrelation());
        }

        (await quartz.WaitForFiringsAsync("without-middleware")).ShouldHaveSingleItem().CorrelationId.ShouldBeNull();
        quartz.JobLines("without-middleware").ShouldHaveSingleItem().CorrelationId.ShouldBeNull();
    }
}
