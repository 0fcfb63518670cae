using System.Collections.Concurrent;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Correlation.Messaging.Quartz.Tests;

/// <summary>What one firing saw.</summary>
public sealed record Firing(string Label, string? CorrelationId, string? CausationId, string? MessageId, string FireInstanceId, CorrelationIdSource? Source);

public sealed class FiringRecorder
{
    private readonly ConcurrentQueue<Firing> _firings = new();

    public IReadOnlyList<Firing> For(string label) => [.. _firings.Where(f => f.Label == label)];

    public void Record(string label, string fireInstanceId)
    {
        var current = CorrelationContext.Current;
        _firings.Enqueue(new Firing(label, current?.CorrelationId, current?.CausationId, current?.MessageId, fireInstanceId, current?.Source));
    }
}

/// <summary>The job: logs one line and records the ambient context, after an await.</summary>
public sealed class ProbeJob(ILogger<ProbeJob> logger, FiringRecorder recorder) : IJob
{
    public const string LabelKey = "label";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var label = (string)context.MergedJobDataMap[LabelKey]!;
        logger.LogInformation("Job {Label} fired", label);
        recorder.Record(label, context.FireInstanceId);
    }
}

/// <summary>A real generic host running a Quartz scheduler (in-memory store) as a hosted service, with captured logs.</summary>
public sealed class QuartzHost : IAsyncDisposable
{
    private readonly IHost _host;

    private QuartzHost(IHost host, CapturingLoggerProvider logs, IScheduler scheduler)
    {
        _host = host;
        Logs = logs;
        Scheduler = scheduler;
    }

    public CapturingLoggerProvider Logs { get; }

    public IScheduler Scheduler { get; }

    public FiringRecorder Recorder => _host.Services.GetRequiredService<FiringRecorder>();

    public CorrelationPropagator Propagator => _host.Services.GetRequiredService<CorrelationPropagator>();

    public static async Task<QuartzHost> StartAsync(bool withCorrelation)
    {
        CorrelationContext.Current.ShouldBeNull();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
        var logs = new CapturingLoggerProvider();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddCorrelation();
        builder.Services.AddSingleton<FiringRecorder>();
        builder.Services.AddQuartz(q =>
        {
            q.UseInMemoryStore();
            if (withCorrelation)
            {
                q.AddCorrelation();
            }
        });
        builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);

        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler(TestContext.Current.CancellationToken);
        return new QuartzHost(host, logs, scheduler);
    }

    public async Task ScheduleAsync(string label, Func<TriggerBuilder<IJob>, TriggerBuilder<IJob>> trigger)
    {
        var job = JobBuilder.Create<ProbeJob>().WithIdentity("job-" + label).UsingJobData(ProbeJob.LabelKey, label).Build();
        await Scheduler.ScheduleJob(job, trigger(TriggerBuilder.Create().WithIdentity("trigger-" + label).StartNow()).Build(), cancellationToken: TestContext.Current.CancellationToken);
    }

    public async Task<IReadOnlyList<Firing>> WaitForFiringsAsync(string label, int count = 1)
    {
        (await Eventually.TrueAsync(() => Recorder.For(label).Count >= count, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken))
            .ShouldBeTrue($"job {label} fired {Recorder.For(label).Count} of {count} times");
        return Recorder.For(label);
    }

    public IReadOnlyList<CapturedLog> JobLines(string label) =>
        [.. Logs.Logs.Where(l => l.Category.EndsWith(nameof(ProbeJob), StringComparison.Ordinal) && l.Message == $"Job {label} fired")];

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
    }
}
