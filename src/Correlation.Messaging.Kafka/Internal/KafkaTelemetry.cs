using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Correlation.Messaging.Tracing;

namespace Correlation.Messaging.Kafka.Internal;

/// <summary>
/// The package's tracing with the in-box <see cref="System.Diagnostics"/> types: its <see cref="ActivitySource"/>, and
/// the W3C trace context on Kafka headers. Used only when <see cref="CorrelationOptions.PropagateTraceContext"/> is on.
/// </summary>
internal static class KafkaTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/>; activities exist only when a listener (for example an OpenTelemetry tracer) subscribes to it.</summary>
    public const string ActivitySourceName = "Correlation.Messaging.Kafka";

    public static readonly ActivitySource Source = new(ActivitySourceName, typeof(KafkaTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// Writes a trace-context header as UTF-8 bytes, replacing every header of that name; writing <c>traceparent</c>
    /// also drops a <c>tracestate</c> the caller's headers carried, which belongs to another trace.
    /// </summary>
    public static readonly TraceContextHeaderSetter<Headers> TraceSetter = static (headers, name, value) =>
    {
        if (string.Equals(name, TraceContextPropagation.TraceParentHeaderName, StringComparison.Ordinal))
        {
            KafkaHeaders.RemoveAll(headers, TraceContextPropagation.TraceStateHeaderName);
        }

        KafkaHeaders.Set(headers, name, Encoding.UTF8.GetBytes(value));
    };

    /// <summary>Starts the producer span <c>&lt;topic&gt; publish</c>, a child of the current activity, or returns <see langword="null"/> when nobody listens.</summary>
    public static Activity? StartPublish(string topic)
    {
        var activity = Source.StartActivity(topic + " publish", ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "kafka");
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag("messaging.destination.name", topic);
        }

        return activity;
    }

    /// <summary>
    /// Starts the consumer span <c>&lt;topic&gt; process</c> of a consumed record, parented on the record's trace
    /// context (or the current activity when it carries none), or returns <see langword="null"/> when nobody listens.
    /// </summary>
    public static Activity? StartProcess<TKey, TValue>(ConsumeResult<TKey, TValue> result, in ExtractedTraceContext trace)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(result.Topic + " process", ActivityKind.Consumer, trace.ActivityContext);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "kafka");
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.destination.name", result.Topic);
            activity.SetTag("messaging.destination.partition.id", result.Partition.Value.ToString(CultureInfo.InvariantCulture));
            activity.SetTag("messaging.kafka.offset", result.Offset.Value);
        }

        return activity;
    }
}
