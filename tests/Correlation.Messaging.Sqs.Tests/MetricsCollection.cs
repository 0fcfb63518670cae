using System.Diagnostics.Metrics;

namespace Correlation.Messaging.Sqs.Tests;

/// <summary>Tests that read the process-wide correlation meter run alone, so counts are theirs.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "metrics";
}

/// <summary>Counts <c>correlation.propagation.degraded</c> measurements by reason while alive.</summary>
internal sealed class DegradedCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _byReason = new(StringComparer.Ordinal);

    public DegradedCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Correlation.Messaging" && instrument.Name == "correlation.propagation.degraded")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? reason = null;
            string? broker = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "reason")
                {
                    reason = tag.Value as string;
                }
                else if (tag.Key == "broker")
                {
                    broker = tag.Value as string;
                }
            }

            lock (_byReason)
            {
                var key = broker + "/" + reason;
                _byReason[key] = _byReason.GetValueOrDefault(key) + value;
            }
        });
        _listener.Start();
    }

    public long this[string key]
    {
        get
        {
            lock (_byReason)
            {
                return _byReason.GetValueOrDefault(key);
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
