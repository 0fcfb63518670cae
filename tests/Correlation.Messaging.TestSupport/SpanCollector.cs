using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Correlation.Messaging.TestSupport;

/// <summary>
/// A real OpenTelemetry SDK tracer for the given sources, with a tiny in-memory exporter: a processor that keeps every
/// ended span. Dispose to stop listening.
/// </summary>
public sealed class SpanCollector : IDisposable
{
    private readonly Collecting _collecting = new();
    private readonly TracerProvider _provider;

    public SpanCollector(Sampler sampler, params string[] sources)
    {
        _provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(sources)
            .SetSampler(sampler)
            .AddProcessor(_collecting)
            .Build()!;
    }

    public IReadOnlyList<Activity> Ended => _collecting.Snapshot();

    public void Dispose() => _provider.Dispose();

    private sealed class Collecting : BaseProcessor<Activity>
    {
        private readonly List<Activity> _ended = [];

        public override void OnEnd(Activity data)
        {
            lock (_ended)
            {
                _ended.Add(data);
            }
        }

        public IReadOnlyList<Activity> Snapshot()
        {
            lock (_ended)
            {
                return [.. _ended];
            }
        }
    }
}
