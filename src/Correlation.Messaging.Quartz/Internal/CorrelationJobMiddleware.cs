using Correlation.Messaging.Propagation;
using Quartz;

namespace Correlation.Messaging.Quartz.Internal;

/// <summary>
/// Restores the flow stored in the firing trigger's <see cref="JobDataMap"/> around the job, so the job and everything it
/// awaits run in that flow; a firing without one runs under a new ID.
/// </summary>
/// <remarks>
/// A middleware rather than a job listener: a listener is notified before the job in an awaited call of its own, and an
/// <see cref="AsyncLocal{T}"/> written there does not flow back into the job. The middleware awaits the job inside the scope.
/// </remarks>
internal sealed class CorrelationJobMiddleware(CorrelationPropagator propagator) : IJobExecutionMiddleware
{
    public async ValueTask Invoke(IJobExecutionContext context, JobExecutionDelegate next, CancellationToken cancellationToken)
    {
        var capsule = CorrelationCapsule.Parse(ReadCapsule(context.Trigger.JobDataMap));
        using var scope = capsule.Restore(propagator, context.FireInstanceId);
        await next(context, cancellationToken).ConfigureAwait(false);
    }

    private static string? ReadCapsule(JobDataMap data) => data.TryGetValue(CorrelationJobData.Key, out var value) switch
    {
        false => null,

        // Anything but text under our key was put there by someone else: restoring reports it as unreadable.
        true => value as string ?? "?",
    };
}
