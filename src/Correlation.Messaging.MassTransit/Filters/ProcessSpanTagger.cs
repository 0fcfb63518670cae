using System.Diagnostics;
using Correlation.Messaging.Tracing;

namespace Correlation.Messaging.MassTransit.Filters;

/// <summary>
/// Tags MassTransit's own consumer spans (<c>&lt;queue&gt; process</c>, one per consumer, handler or saga) with the
/// correlation, message and causation IDs of the message being consumed.
/// </summary>
/// <remarks>
/// <para>MassTransit starts that span deep inside its consumer pipe, after every filter an application or library can
/// add to the consume pipe, so no filter sees it. This listener sees it start: by then
/// <see cref="CorrelationConsumeFilter"/> has made the message's context ambient, and it is what gets tagged.</para>
/// <para>The listener never samples (it returns <see cref="ActivitySamplingResult.None"/>), so it creates no span that the
/// application's tracer would not; it is started once per process, on the first <c>UseCorrelationPropagation</c>. The
/// <c>correlation.id</c> alias is written when any bus of the process opted in.</para>
/// </remarks>
internal static class ProcessSpanTagger
{
    private static readonly Lock Gate = new();
    private static readonly CorrelationOptions Plain = new();
    private static readonly CorrelationOptions WithLegacyAlias = new() { EmitLegacyCorrelationIdAttribute = true };
    private static ActivityListener? _listener;
    private static volatile bool _legacyAlias;

    /// <summary>Starts the listener once per process; remembers whether <paramref name="options"/> asks for the legacy alias.</summary>
    /// <param name="options">The bus's options.</param>
    public static void EnsureStarted(CorrelationOptions options)
    {
        if (options.EmitLegacyCorrelationIdAttribute)
        {
            _legacyAlias = true;
        }

        lock (Gate)
        {
            if (_listener is not null)
            {
                return;
            }

            _listener = new ActivityListener
            {
                ShouldListenTo = static source => string.Equals(source.Name, CorrelationSpanAttributes.MassTransitSourceName, StringComparison.Ordinal),
                Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.None,
                SampleUsingParentId = static (ref ActivityCreationOptions<string> _) => ActivitySamplingResult.None,
                ActivityStarted = OnStarted,
            };
            ActivitySource.AddActivityListener(_listener);
        }
    }

    /// <summary>Tags a started MassTransit consumer span, other than the receive span (tagged by the receive filter), with the ambient context.</summary>
    /// <param name="activity">The started span.</param>
    internal static void OnStarted(Activity activity)
    {
        if (activity is not { Kind: ActivityKind.Consumer, IsAllDataRequested: true }
            || activity.GetTagItem("messaging.operation") is "receive"
            || CorrelationContext.Current is not { } context)
        {
            return;
        }

        CorrelationSpanAttributes.Tag(activity, _legacyAlias ? WithLegacyAlias : Plain, context.CorrelationId, context.MessageId, context.CausationId);
    }
}
