using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Confluent.Kafka;
using Correlation.Messaging.Diagnostics;
using Correlation.Messaging.Kafka;
using Correlation.Messaging.Kafka.Producer.Internal;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Tracing.Internal;

namespace Correlation.Messaging.Benchmarks.Testing;

/// <summary>
/// What the flow diagnostics that <c>Correlation.Messaging.Testing</c>'s recorder reads cost in the production path.
/// <c>Listener=false</c> is production (no recorder attached): the hooks must cost nothing measurable and allocate
/// nothing. <c>Listener=true</c> attaches a subscriber that discards the events, to show what the hooks do when a
/// recorder listens (test processes only).
/// </summary>
/// <remarks>
/// <c>Consume_WithoutHook</c> is the consume scope with the hook skipped (no broker name given, the path of callers
/// that report no hop), so <c>Consume_Hooked</c> against it, in the same run, is the hook's price.
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[MedianColumn]
[Q1Column]
[Q3Column]
public class FlowDiagnosticsOffCostBenchmarks
{
    private readonly CorrelationPropagator _propagator = new(new CorrelationOptions());
    private CorrelatingProducer<string, string> _producer = null!;
    private Message<string, string> _message = null!;
    private ExtractedCorrelation _extracted;
    private IDisposable? _subscription;
    private IDisposable? _all;

    /// <summary>Gets or sets whether a subscriber listens to the flow diagnostics.</summary>
    [Params(false, true)]
    public bool Listener { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _producer = (CorrelatingProducer<string, string>)new Kafka.KafkaPropagationBenchmarks.NullProducer().WithCorrelation(_propagator);
        _message = new Message<string, string> { Key = "k", Value = "v" };
        var headers = new Headers
        {
            { CorrelationHeaders.CorrelationId, "0f8fad5b-d9cb-469f-a165-70867728950e"u8.ToArray() },
            { CorrelationHeaders.CausationId, "5c0d7a8e-1b2c-4d3e-9f40-1a2b3c4d5e6f"u8.ToArray() },
        };
        _extracted = _propagator.Extract(headers, Correlation.Messaging.Kafka.Internal.KafkaHeaders.Getter);
#pragma warning disable CM0005 // Never disposed on purpose: ambient for the whole run, as inside a handler.
        CorrelationContext.BeginScope(new CorrelationContext("0f8fad5b-d9cb-469f-a165-70867728950e", messageId: "01890a5d-ac96-774b-bcce-b302099a8057"));
#pragma warning restore CM0005
        if (Listener)
        {
            _all = DiagnosticListener.AllListeners.Subscribe(new Attach(s => _subscription = s));
        }

        _ = FlowDiagnostics.IsEnabled;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _subscription?.Dispose();
        _all?.Dispose();
    }

    [Benchmark, BenchmarkCategory("Check")]
    public bool IsEnabled() => FlowDiagnostics.IsEnabled;

    [Benchmark(Baseline = true), BenchmarkCategory("Consume")]
    public void Consume_WithoutHook()
    {
        using var scope = TracedConsumeScope.Begin(_propagator, _extracted, "01890a5d-ac96-774b-bcce-b302099a8058", default, null, null);
    }

    [Benchmark, BenchmarkCategory("Consume")]
    public void Consume_Hooked()
    {
        using var scope = TracedConsumeScope.Begin(_propagator, _extracted, "01890a5d-ac96-774b-bcce-b302099a8058", default, null, null, "kafka", "orders");
    }

    [Benchmark, BenchmarkCategory("Send")]
    public void KafkaProduce_Hooked() => _producer.Produce("orders", _message);

    private sealed class Attach(Action<IDisposable> keep) : IObserver<DiagnosticListener>
    {
        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == FlowDiagnostics.ListenerName)
            {
                keep(value.Subscribe(Discard.Instance));
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }

    private sealed class Discard : IObserver<KeyValuePair<string, object?>>
    {
        public static readonly Discard Instance = new();

        public void OnNext(KeyValuePair<string, object?> value)
        {
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }
}
