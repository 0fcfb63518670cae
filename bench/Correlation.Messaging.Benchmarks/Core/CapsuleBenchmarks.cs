using BenchmarkDotNet.Attributes;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Benchmarks.Core;

/// <summary>
/// The capsule's round trips against one <see cref="CorrelationPropagator.Extract{TCarrier}"/> of the same IDs from a
/// header dictionary (the baseline) and one full consume scope (extract + scope), in the same run.
/// </summary>
[MemoryDiagnoser]
public class CapsuleBenchmarks
{
    private static readonly CorrelationHeaderGetter<Dictionary<string, string>> TextGetter =
        static (c, n) => c.TryGetValue(n, out var v) ? InboundHeaderValue.FromText(v) : InboundHeaderValue.Missing;

    private readonly CorrelationPropagator _propagator = new(new CorrelationOptions());
    private readonly Dictionary<string, string> _inbound = new(StringComparer.OrdinalIgnoreCase);
    private CorrelationContext _context = null!;
    private string _stored = null!;

    [GlobalSetup]
    public void Setup()
    {
        _context = new CorrelationContext("0f8fad5b-d9cb-469f-a165-70867728950e", "0193a4f0-6c1e-7a3b-9c2d-1e2f3a4b5c6d", "0193a4f0-6c1e-7a3b-9c2d-1e2f3a4b5c6e");
        _inbound[CorrelationHeaders.CorrelationId] = _context.CorrelationId;
        _inbound[CorrelationHeaders.CausationId] = _context.MessageId!;
        using (CorrelationContext.BeginScope(_context))
        {
            _stored = CorrelationContext.Capture().ToString();
        }

        // The benchmarks run in a flow, as a handler that schedules work does: the setup's ambient context stays on this thread.
        #pragma warning disable CM0005 // deliberate: the benchmark process runs inside one flow for its whole life
        _ = CorrelationContext.BeginScope(_context);
        #pragma warning restore CM0005
    }

    [Benchmark(Baseline = true)]
    public string Extract() => _propagator.Extract(_inbound, TextGetter).CorrelationId;

    [Benchmark]
    public string? ConsumeScope()
    {
        using var scope = _propagator.BeginConsumeScope(_inbound, TextGetter, "job-1");
        return scope.Context?.CorrelationId;
    }

    /// <summary>Capture inside a flow and its text: what a client filter does when work is scheduled.</summary>
    [Benchmark]
    public string CaptureSerialize() => InFlow(CorrelationContext.Capture().ToString());

    /// <summary>Parse the stored text, re-validate it and open the scope: what a server filter does when the work runs.</summary>
    [Benchmark]
    public string? ParseRestore()
    {
        using var scope = CorrelationCapsule.Parse(_stored).Restore(_propagator, "job-1");
        return scope.Context?.CorrelationId;
    }

    /// <summary>The whole trip: capture + serialize, then parse + restore.</summary>
    [Benchmark]
    public string? CaptureSerializeRestore()
    {
        var text = InFlow(CorrelationContext.Capture().ToString());
        using var scope = CorrelationCapsule.Parse(text).Restore(_propagator, "job-1");
        return scope.Context?.CorrelationId;
    }

    /// <summary>The in-memory trip of a <see cref="Correlated{T}"/> channel item: capture, then restore, no text.</summary>
    [Benchmark]
    public string? CaptureRestoreInMemory()
    {
        var capsule = CorrelationContext.Capture();
        _ = InFlow(capsule.IsEmpty ? string.Empty : "in flow");
        using var scope = capsule.Restore(_propagator);
        return scope.Context?.CorrelationId;
    }

    private static string InFlow(string text) =>
        text.Length > 0 ? text : throw new InvalidOperationException("The benchmark ran outside the setup's flow.");
}
