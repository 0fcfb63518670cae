using System.Diagnostics;

namespace Correlation.Messaging.Sqs.Internal;

/// <summary>
/// The package's <see cref="ActivitySource"/>, used only when <see cref="CorrelationOptions.PropagateTraceContext"/> is
/// on; activities exist only when a listener (for example an OpenTelemetry tracer) subscribes to it.
/// </summary>
internal static class SqsTelemetry
{
    public const string ActivitySourceName = "Correlation.Messaging.Sqs";

    public static readonly ActivitySource Source = new(ActivitySourceName, typeof(SqsTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Starts the producer span <c>&lt;queue&gt; send</c>, a child of the current activity, or returns <see langword="null"/> when nobody listens.</summary>
    public static Activity? StartSend(string? queueUrl)
    {
        var queue = QueueName(queueUrl);
        var activity = Source.StartActivity(queue + " send", ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "aws_sqs");
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag("messaging.destination.name", queue);
        }

        return activity;
    }

    /// <summary>Starts the consumer span <c>&lt;queue&gt; process</c> under <paramref name="parent"/> (the message's trace context), or returns <see langword="null"/> when nobody listens.</summary>
    public static Activity? StartProcess(string? queueName, string? messageId, ActivityContext parent)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity((queueName ?? "sqs") + " process", ActivityKind.Consumer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "aws_sqs");
            activity.SetTag("messaging.operation.type", "process");
            if (queueName is not null)
            {
                activity.SetTag("messaging.destination.name", queueName);
            }

            if (messageId is not null)
            {
                activity.SetTag("messaging.message.id", messageId);
            }
        }

        return activity;
    }

    /// <summary>Returns the queue name of a queue URL (its last path segment), or <c>sqs</c>.</summary>
    public static string QueueName(string? queueUrl)
    {
        if (string.IsNullOrEmpty(queueUrl))
        {
            return "sqs";
        }

        var trimmed = queueUrl.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        return slash >= 0 && slash < trimmed.Length - 1 ? trimmed[(slash + 1)..] : trimmed;
    }
}
