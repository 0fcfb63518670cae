using System.Diagnostics;
using Correlation.Messaging.Tracing;

namespace Correlation.Messaging.RabbitMq.Internal;

/// <summary>
/// The consumer span of <see cref="CorrelatingBasicConsumer"/>, with the in-box <see cref="System.Diagnostics"/> types.
/// MassTransit starts its own spans; RabbitMQ.Client starts none for a delivery, so the raw consumer does.
/// </summary>
internal static class RabbitMqTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/>; spans exist only when a listener (for example an OpenTelemetry tracer) subscribes to it.</summary>
    public const string ActivitySourceName = "Correlation.Messaging.RabbitMq";

    public static readonly ActivitySource Source = new(ActivitySourceName, typeof(RabbitMqTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// Starts the consumer span <c>&lt;destination&gt; process</c> of a delivery, parented on its trace context (or the
    /// current activity when it carries none), or returns <see langword="null"/> when nobody listens.
    /// </summary>
    public static Activity? StartProcess(string exchange, string routingKey, string? messageId, in ExtractedTraceContext trace)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var destination = string.IsNullOrEmpty(exchange) ? routingKey : exchange;
        var activity = Source.StartActivity(destination + " process", ActivityKind.Consumer, trace.ActivityContext);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "rabbitmq");
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.destination.name", destination);
            activity.SetTag("messaging.rabbitmq.destination.routing_key", routingKey);
            activity.SetTag("messaging.message.id", messageId);
        }

        return activity;
    }
}
