using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Correlation.Messaging.Interop.Tests.Infrastructure;

/// <summary>
/// The OpenTelemetry SDK (1.20) with its in-memory exporter, sampling everything from the given sources. Dispose to stop.
/// </summary>
public sealed class InMemorySpans : IDisposable
{
    private readonly List<Activity> _exported = [];
    private readonly TracerProvider _provider;

    public InMemorySpans(params string[] sources)
    {
        _provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(sources)
            .SetSampler(new AlwaysOnSampler())
            .AddInMemoryExporter(_exported)
            .Build()!;
    }

    public IReadOnlyList<Activity> Exported
    {
        get
        {
            lock (_exported)
            {
                return [.. _exported];
            }
        }
    }

    public void Dispose() => _provider.Dispose();
}
