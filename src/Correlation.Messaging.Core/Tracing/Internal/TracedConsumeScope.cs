using System.Diagnostics;
using Correlation.Messaging.Diagnostics;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Tracing;

namespace Correlation.Messaging.Tracing.Internal;

/// <summary>
/// The one way every adapter opens the scope of a consumed message (Kafka, SQS, RabbitMQ.Client, MassTransit), so the
/// order is the same everywhere: the consumer span (started by the adapter, which knows its tags), then the inbound
/// trace context, then the logging scope, then the ambient context. Disposing the one scope the adapter holds closes
/// them in reverse order.
/// </summary>
internal sealed class TracedConsumeScope : IDisposable
{
    private readonly Activity? _activity;
    private readonly Activity? _previousActivity;
    private readonly TraceContextScope _trace;
    private readonly IDisposable? _logScope;

    private TracedConsumeScope(Activity? activity, Activity? previousActivity, TraceContextScope trace, IDisposable? logScope, FlowHop? hop)
    {
        _activity = activity;
        _previousActivity = previousActivity;
        _trace = trace;
        _logScope = logScope;
        Hop = hop;
    }

    /// <summary>Gets the consume hop reported to <see cref="FlowDiagnostics"/>, or <see langword="null"/> when nobody listens.</summary>
    public FlowHop? Hop { get; }

    /// <summary>
    /// Makes the inbound trace context (when <see cref="CorrelationOptions.PropagateTraceContext"/> is on) and the
    /// correlation context ambient, opens the logging scope, tags the consumer activity (or, without one, the current
    /// activity) with the correlation, message and causation IDs (<see cref="CorrelationSpanAttributes"/>), and returns a correlation scope that ends them all.
    /// </summary>
    /// <param name="propagator">The propagator.</param>
    /// <param name="extracted">The extracted correlation.</param>
    /// <param name="messageId">The handled message's ID.</param>
    /// <param name="trace">The extracted trace context (<see langword="default"/> when the option is off).</param>
    /// <param name="activity">The started consumer activity, or <see langword="null"/>; stopped when the scope is disposed.</param>
    /// <param name="previousActivity">The activity that was current before <paramref name="activity"/> started; current again afterwards.</param>
    /// <param name="broker">The broker, for the flow diagnostics; <see langword="null"/> reports nothing.</param>
    /// <param name="destination">The topic or queue the message came from, for the flow diagnostics.</param>
    /// <returns>The scope.</returns>
    public static CorrelationScope Begin(
        CorrelationPropagator propagator,
        in ExtractedCorrelation extracted,
        string? messageId,
        in ExtractedTraceContext trace,
        Activity? activity,
        Activity? previousActivity,
        string? broker = null,
        string? destination = null)
    {
        CorrelationContext context;
        try
        {
            context = propagator.ContextFor(extracted, messageId);
        }
        catch
        {
            Stop(activity, previousActivity);
            throw;
        }

        CorrelationSpanAttributes.Tag(activity ?? Activity.Current, propagator.Options, context.CorrelationId, context.MessageId, context.CausationId);
        var hop = broker is not null && FlowDiagnostics.IsEnabled
            ? FlowDiagnostics.Start(FlowHopKind.Consume, broker, destination, destination, context)
            : null;
        if (activity is null && hop is null && !propagator.Options.PropagateTraceContext)
        {
            // Nothing to close but the logging scope: no owner object per message.
            return propagator.BeginScope(context);
        }

        var traceScope = propagator.Options.PropagateTraceContext ? TraceContextPropagation.BeginScope(trace) : default;
        var logScope = propagator.Logger.BeginScope(context.LogScope);
        return CorrelationScope.Enter(context, new TracedConsumeScope(activity, previousActivity, traceScope, logScope, hop));
    }

    /// <summary>Closes the logging scope, the trace-context scope and the span, in that order (the context is already restored).</summary>
    public void Dispose()
    {
        _logScope?.Dispose();
        _trace.Dispose();
        FlowDiagnostics.Stop(Hop);
        Stop(_activity, _previousActivity);
    }

    private static void Stop(Activity? activity, Activity? previousActivity)
    {
        if (activity is not null)
        {
            activity.Dispose();
            if (Activity.Current != previousActivity)
            {
                Activity.Current = previousActivity;
            }
        }
    }
}
