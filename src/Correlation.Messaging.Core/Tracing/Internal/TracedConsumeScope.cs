using System.Diagnostics;
using Correlation.Messaging.Internal;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Tracing;

namespace Correlation.Messaging.Tracing.Internal;

/// <summary>
/// Ties a consumed record's consumer <see cref="Activity"/> and inbound trace-context scope to its
/// <see cref="CorrelationScope"/>, so that disposing the one scope the caller holds ends all three, in reverse order.
/// </summary>
internal sealed class TracedConsumeScope : IDisposable
{
    private readonly Activity? _activity;
    private readonly Activity? _previousActivity;
    private CorrelationScope _correlation;
    private TraceContextScope _trace;
    private bool _disposed;

    private TracedConsumeScope(Activity? activity, Activity? previousActivity)
    {
        _activity = activity;
        _previousActivity = previousActivity;
    }

    /// <summary>
    /// Makes the inbound trace context and the correlation context ambient, tags the consumer activity (or, without
    /// one, the current activity) with <c>correlation.id</c>, and returns a correlation scope that ends them all.
    /// </summary>
    /// <param name="propagator">The propagator.</param>
    /// <param name="extracted">The extracted correlation.</param>
    /// <param name="messageId">The handled message's ID.</param>
    /// <param name="trace">The extracted trace context.</param>
    /// <param name="activity">The started consumer activity, or <see langword="null"/>; stopped when the scope is disposed.</param>
    /// <param name="previousActivity">The activity that was current before <paramref name="activity"/> started; current again afterwards.</param>
    public static CorrelationScope Begin(
        CorrelationPropagator propagator,
        in ExtractedCorrelation extracted,
        string? messageId,
        in ExtractedTraceContext trace,
        Activity? activity,
        Activity? previousActivity)
    {
        var owner = new TracedConsumeScope(activity, previousActivity) { _trace = TraceContextPropagation.BeginScope(trace) };
        var previous = AmbientCorrelation.Current;
        try
        {
            owner._correlation = propagator.BeginScope(extracted, messageId);
        }
        catch
        {
            owner.Dispose();
            throw;
        }

        var context = owner._correlation.Context!;
        TraceContextPropagation.TagCorrelationId(activity ?? Activity.Current, context.CorrelationId);

        // Hand the ambient context over to the returned scope: it makes the context ambient again, remembers `previous`
        // as the context to restore, and disposes this owner (logging scope, trace scope, activity) first.
        AmbientCorrelation.Current = previous;
        return CorrelationScope.Enter(context, owner);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _correlation.Dispose();
        _trace.Dispose();
        if (_activity is not null)
        {
            _activity.Dispose();
            if (Activity.Current != _previousActivity)
            {
                Activity.Current = _previousActivity;
            }
        }
    }
}
