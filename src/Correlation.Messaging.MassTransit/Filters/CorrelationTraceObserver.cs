using System.Diagnostics;
using System.Globalization;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Tracing;
using MassTransit;

namespace Correlation.Messaging.MassTransit.Filters;

/// <summary>
/// Tags the producer span with the correlation, message and causation IDs (<see cref="CorrelationSpanAttributes"/>) and, with <see cref="CorrelationOptions.PropagateTraceContext"/>
/// on, writes the W3C <c>traceparent</c>/<c>tracestate</c> headers, just before a message goes to the transport.
/// </summary>
/// <remarks>
/// An observer rather than a filter because MassTransit 8 runs the send and publish pipes (and so
/// <see cref="CorrelationSendFilter"/>) before it starts its <c>&lt;destination&gt; send</c> activity, and its pre-send
/// observers after: here <see cref="Activity.Current"/> is MassTransit's producer span when a listener sampled one (its
/// ID is also in MassTransit's own <c>MT-Activity-Id</c> header), otherwise the caller's activity. MassTransit never
/// writes <c>traceparent</c>; one the application already set is kept.
/// </remarks>
internal sealed class CorrelationTraceObserver(CorrelationPropagator propagator) : ISendObserver, IPublishObserver
{
    private static readonly TraceContextHeaderSetter<SendHeaders> Setter = static (headers, name, value) => headers.Set(name, value);

    private readonly bool _propagateTraceContext = propagator.Options.PropagateTraceContext;

    public Task PreSend<T>(SendContext<T> context)
        where T : class
    {
        Apply(context);
        return Task.CompletedTask;
    }

    public Task PostSend<T>(SendContext<T> context)
        where T : class => Task.CompletedTask;

    public Task SendFault<T>(SendContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;

    public Task PrePublish<T>(PublishContext<T> context)
        where T : class
    {
        Apply(context);
        return Task.CompletedTask;
    }

    public Task PostPublish<T>(PublishContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PublishFault<T>(PublishContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;

    private void Apply(SendContext context)
    {
        if (context.Headers.TryGetHeader(propagator.HeaderName, out var value) && value is string correlationId)
        {
            var messageId = context.MessageId?.ToString("D", CultureInfo.InvariantCulture);
            CorrelationSpanAttributes.Tag(Activity.Current, propagator.Options, correlationId, messageId, CorrelationContext.Current?.MessageId);
        }

        if (_propagateTraceContext && !context.Headers.TryGetHeader(TraceContextPropagation.TraceParentHeaderName, out _))
        {
            TraceContextPropagation.Inject(context.Headers, Setter);
        }
    }
}
