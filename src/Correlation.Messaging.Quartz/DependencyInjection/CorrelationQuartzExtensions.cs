using Correlation.Messaging;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Quartz;
using Correlation.Messaging.Quartz.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace Quartz;

/// <summary>
/// Carries the correlation ID through Quartz: a trigger built inside a flow with <see cref="WithCorrelation{TJob}"/>
/// fires its job in that flow; other firings get a new ID each.
/// </summary>
public static class CorrelationQuartzExtensions
{
    /// <summary>
    /// Wraps every job this scheduler executes in the flow its trigger carries (see <see cref="WithCorrelation{TJob}"/>),
    /// with a logging scope: <c>correlation_id</c>, <c>causation_id</c> (what scheduled it) and <c>message_id</c> (the
    /// fire instance ID). Register it before other middleware, so they run inside the flow.
    /// </summary>
    /// <param name="builder">The Quartz builder of <c>services.AddQuartz(q => …)</c>.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>Needs <c>services.AddCorrelation()</c>, which registers the <see cref="CorrelationPropagator"/>.</remarks>
    public static IQuartzBuilder AddCorrelation(this IQuartzBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddJobMiddleware(static services => new CorrelationJobMiddleware(services.GetRequiredService<CorrelationPropagator>()));
    }

    /// <summary>
    /// Stores the ambient flow in the trigger's <see cref="JobDataMap"/>, so every firing of the trigger runs in it.
    /// Outside any flow it stores nothing, and each firing gets a new ID.
    /// </summary>
    /// <typeparam name="TJob">The job type of the builder.</typeparam>
    /// <param name="builder">The trigger builder.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static TriggerBuilder<TJob> WithCorrelation<TJob>(this TriggerBuilder<TJob> builder)
        where TJob : IJob
    {
        ArgumentNullException.ThrowIfNull(builder);
        var capsule = CorrelationContext.Capture();
        return capsule.IsEmpty ? builder : builder.UsingJobData(CorrelationJobData.Key, capsule.ToString());
    }

    /// <summary>
    /// Stores the ambient flow in <paramref name="data"/>, for <see cref="IScheduler.TriggerJob(JobKey, JobDataMap, CancellationToken)"/>
    /// and other places that take a map rather than a trigger builder. Outside any flow it stores nothing.
    /// </summary>
    /// <param name="data">The job data map of the trigger about to be scheduled.</param>
    /// <returns><paramref name="data"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is <see langword="null"/>.</exception>
    public static JobDataMap WithCorrelation(this JobDataMap data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var capsule = CorrelationContext.Capture();
        if (!capsule.IsEmpty)
        {
            data[CorrelationJobData.Key] = capsule.ToString();
        }

        return data;
    }
}
