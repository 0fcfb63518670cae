using Correlation.Messaging.Propagation;
using Hangfire.Client;
using Hangfire.Server;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Hangfire.Internal;

/// <summary>
/// Stores the ambient flow as a job parameter when a job is created, and restores it around every attempt of the job.
/// </summary>
/// <remarks>
/// Hangfire calls <see cref="OnPerforming"/>, the job and <see cref="OnPerformed"/> on the same worker thread without
/// an asynchronous boundary in between, so the ambient context set here is the job's ambient context.
/// </remarks>
internal sealed class CorrelationJobFilter(CorrelationPropagator propagator, ILogger logger) : IClientFilter, IServerFilter
{
    /// <summary>The job parameter that holds the capsule text.</summary>
    public const string ParameterName = "Correlation";

    /// <summary>The parameter Hangfire sets on each run of a recurring job.</summary>
    private const string RecurringJobIdParameter = "RecurringJobId";

    private const string ScopeItem = "Correlation.Messaging.Scope";

    public void OnCreating(CreatingContext context)
    {
        // Each run of a recurring job starts a flow of its own, wherever the schedule was created or triggered.
        if (context.Parameters.ContainsKey(RecurringJobIdParameter))
        {
            return;
        }

        var capsule = CorrelationContext.Capture();
        if (!capsule.IsEmpty)
        {
            context.SetJobParameter(ParameterName, capsule.ToString());
        }
    }

    public void OnCreated(CreatedContext context)
    {
    }

    public void OnPerforming(PerformingContext context)
    {
        var capsule = CorrelationCapsule.Parse(ReadParameter(context));
        var scope = capsule.Restore(propagator, context.BackgroundJob.Id);
        context.Items[ScopeItem] = scope;
    }

    public void OnPerformed(PerformedContext context)
    {
        if (context.Items.Remove(ScopeItem, out var scope) && scope is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    private string? ReadParameter(PerformingContext context)
    {
        try
        {
            return context.GetJobParameter<string>(ParameterName, allowStale: true);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not a JSON string: the stored value was tampered with. Restore reports it as unreadable, never failing the job.
            Log.ParameterUnreadable(logger, context.BackgroundJob.Id, ex.GetType().Name);
            return "?";
        }
    }
}
