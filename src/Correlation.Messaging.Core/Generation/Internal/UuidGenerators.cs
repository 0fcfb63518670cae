using System.Diagnostics;

namespace Correlation.Messaging.Generation.Internal;

internal sealed class UuidV4Generator : ICorrelationIdGenerator
{
    public string NewId() => Guid.NewGuid().ToString("D");
}

internal sealed class UuidV7Generator : ICorrelationIdGenerator
{
    public string NewId() => Guid.CreateVersion7().ToString("D");
}

internal sealed class TraceIdGenerator : ICorrelationIdGenerator
{
    public string NewId()
    {
        var activity = Activity.Current;
        return activity is { IdFormat: ActivityIdFormat.W3C }
            ? activity.TraceId.ToHexString()
            : NewRandomId();
    }

    /// <summary>A random W3C trace ID, never the ambient one.</summary>
    public static string NewRandomId() => ActivityTraceId.CreateRandom().ToHexString();
}
