using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;
using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Hangfire.Tests.Infrastructure;

/// <summary>
/// A real generic host running a Hangfire server on in-memory storage, with captured logs.
/// </summary>
/// <remarks>
/// Hangfire's global filters are process-wide, so the host without correlation registers its own empty filter
/// provider: it sees none of the filters another host registered.
/// </remarks>
public sealed class HangfireHost : IAsyncDisposable
{
    private readonly IHost _host;

    private HangfireHost(IHost host, CapturingLoggerProvider logs)
    {
        _host = host;
        Logs = logs;
    }

    public CapturingLoggerProvider Logs { get; }

    public JobRecorder Recorder => _host.Services.GetRequiredService<JobRecorder>();

    public IBackgroundJobClient Client => _host.Services.GetRequiredService<IBackgroundJobClient>();

    public IRecurringJobManager Recurring => _host.Services.GetRequiredService<IRecurringJobManager>();

    public JobStorage Storage => _host.Services.GetRequiredService<JobStorage>();

    public CorrelationPropagator Propagator => _host.Services.GetRequiredService<CorrelationPropagator>();

    public static async Task<HangfireHost> StartAsync(bool withCorrelation)
    {
        // Start outside any flow: Hangfire's worker threads would otherwise inherit the caller's context.
        CorrelationContext.Current.ShouldBeNull();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
        var logs = new CapturingLoggerProvider();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddCorrelation();
        builder.Services.AddSingleton<JobRecorder>();
        builder.Services.AddTransient<ProbeJobs>();
        if (!withCorrelation)
        {
            builder.Services.AddSingleton<IJobFilterProvider>(new JobFilterCollection());
        }

        builder.Services.AddHangfire((services, config) =>
        {
            config.UseInMemoryStorage();
            if (withCorrelation)
            {
                config.UseCorrelation(services);
            }
        });
        builder.Services.AddHangfireServer(o =>
        {
            o.WorkerCount = 8;
            o.SchedulePollingInterval = TimeSpan.FromMilliseconds(100);
        });

        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);

        // Hangfire's log provider is process-wide and points at the logger factory of the host started last. Create the
        // clients now, while that is this host's own, so a second host disposed earlier never leaves them a disposed factory.
        _ = host.Services.GetRequiredService<IBackgroundJobClient>();
        _ = host.Services.GetRequiredService<IRecurringJobManager>();
        return new HangfireHost(host, logs);
    }

    public async Task<IReadOnlyList<JobRun>> WaitForRunsAsync(string label, int count = 1)
    {
        (await Eventually.TrueAsync(() => Recorder.For(label).Count >= count, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken))
            .ShouldBeTrue($"job {label} ran {Recorder.For(label).Count} of {count} times");
        return Recorder.For(label);
    }

    public IReadOnlyList<CapturedLog> JobLines(string label) =>
        [.. Logs.Logs.Where(l => l.Category.EndsWith(nameof(ProbeJobs), StringComparison.Ordinal) && l.Message == $"Job {label} ran")];

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();

        // Do not leave the process-wide provider pointing at the logger factory just disposed.
        global::Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
    }
}

/// <summary>One Hangfire host with correlation for all tests in the collection.</summary>
public sealed class HangfireFixture : IAsyncLifetime
{
    public HangfireHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Host = await HangfireHost.StartAsync(withCorrelation: true);

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class HangfireCollection : ICollectionFixture<HangfireFixture>
{
    public const string Name = "Hangfire";
}
