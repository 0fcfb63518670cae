using System.Collections.Concurrent;
using Hangfire;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Hangfire.Tests.Infrastructure;

/// <summary>What a job saw: the ambient context while it ran, per attempt.</summary>
public sealed record JobRun(string Label, string? CorrelationId, string? CausationId, string? MessageId, CorrelationIdSource? Source);

/// <summary>Records every job run, keyed by label.</summary>
public sealed class JobRecorder
{
    private readonly ConcurrentQueue<JobRun> _runs = new();
    private readonly ConcurrentDictionary<string, int> _attempts = new();

    public IReadOnlyList<JobRun> Runs => [.. _runs];

    public IReadOnlyList<JobRun> For(string label) => [.. _runs.Where(r => r.Label == label)];

    public int NextAttempt(string label) => _attempts.AddOrUpdate(label, 1, static (_, n) => n + 1);

    public void Record(string label)
    {
        var current = CorrelationContext.Current;
        _runs.Enqueue(new JobRun(label, current?.CorrelationId, current?.CausationId, current?.MessageId, current?.Source));
    }
}

/// <summary>The jobs the tests enqueue; activated from the host's services, so they log through the host's logger.</summary>
public sealed class ProbeJobs(ILogger<ProbeJobs> logger, JobRecorder recorder, IBackgroundJobClient client)
{
    public void Record(string label)
    {
        logger.LogInformation("Job {Label} ran", label);
        recorder.Record(label);
    }

    public async Task RecordAsync(string label)
    {
        await Task.Yield();
        Record(label);
    }

    [AutomaticRetry(Attempts = 2, DelaysInSeconds = [0])]
    public void FailTwiceThenRecord(string label)
    {
        var attempt = recorder.NextAttempt(label);
        Record(label);
        if (attempt < 3)
        {
            throw new InvalidOperationException($"Attempt {attempt} of {label} fails on purpose.");
        }
    }

    public void RecordAndEnqueueChild(string label)
    {
        Record(label);
        client.Enqueue<ProbeJobs>(j => j.Record(label + "/child"));
    }
}
