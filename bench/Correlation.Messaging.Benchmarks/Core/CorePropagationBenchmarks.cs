using System.Diagnostics;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Benchmarks.Core;

/// <summary>
/// Core inject and extract on a header-dictionary carrier and on a byte-valued carrier, side by side with the in-box
/// W3C <see cref="DistributedContextPropagator"/> injecting and extracting <c>traceparent</c> on the same carriers.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CorePropagationBenchmarks
{
    private static readonly CorrelationHeaderSetter<Dictionary<string, string>> TextSetter = static (c, n, v) => c[n] = v.Text;
    private static readonly CorrelationHeaderGetter<Dictionary<string, string>> TextGetter =
        static (c, n) => c.TryGetValue(n, out var v) ? InboundHeaderValue.FromText(v) : InboundHeaderValue.Missing;
    private static readonly CorrelationHeaderSetter<ByteHeaders> ByteSetter = static (c, n, v) => c.Set(n, v.Utf8);
    private static readonly CorrelationHeaderGetter<ByteHeaders> ByteGetter =
        static (c, n) => c.TryGetLast(n, out var v) ? InboundHeaderValue.FromUtf8(v) : InboundHeaderValue.Missing;

    private readonly CorrelationPropagator _propagator = new(new CorrelationOptions());
    private readonly DistributedContextPropagator _w3c = DistributedContextPropagator.CreateW3CPropagator();
    private readonly Dictionary<string, string> _textCarrier = new(StringComparer.OrdinalIgnoreCase);
    private readonly ByteHeaders _byteCarrier = new();
    private readonly Dictionary<string, string> _textInbound = new(StringComparer.OrdinalIgnoreCase);
    private readonly ByteHeaders _byteInbound = new();
    private CorrelationContext _context = null!;
    private Activity _activity = null!;

    [GlobalSetup]
    public void Setup()
    {
        _context = new CorrelationContext("0f8fad5b-d9cb-469f-a165-70867728950e");
        _ = _context.CorrelationIdUtf8; // cache once, as the first message of a flow does
        _activity = new Activity("bench").SetIdFormat(ActivityIdFormat.W3C).Start();
        _activity.Stop();
        _textInbound[CorrelationHeaders.CorrelationId] = _context.CorrelationId;
        _textInbound["traceparent"] = _activity.Id!;
        _textInbound[CorrelationHeaders.FlowMetadata] = "2 orders-api 1764505103123"; // the flow metadata is read too
        _byteInbound.Set(CorrelationHeaders.CorrelationId, _context.CorrelationIdUtf8);
        _byteInbound.Set("traceparent", Encoding.UTF8.GetBytes(_activity.Id!));
        _byteInbound.Set(CorrelationHeaders.FlowMetadata, "2 orders-api 1764505103123"u8.ToArray());
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Inject", "Dictionary")]
    public void W3C_Inject_Dictionary() =>
        _w3c.Inject(_activity, _textCarrier, static (c, n, v) => ((Dictionary<string, string>)c!)[n] = v);

    [Benchmark, BenchmarkCategory("Inject", "Dictionary")]
    public void Correlation_Inject_Dictionary() => _propagator.Inject(_context, _textCarrier, TextSetter);

    // The propagators' own cost, without any carrier work: the setter does nothing.
    [Benchmark(Baseline = true), BenchmarkCategory("Inject", "NoOpCarrier")]
    public void W3C_Inject_NoOp() => _w3c.Inject(_activity, _textCarrier, static (_, _, _) => { });

    [Benchmark, BenchmarkCategory("Inject", "NoOpCarrier")]
    public void Correlation_Inject_NoOp() => _propagator.Inject(_context, _textCarrier, static (_, _, _) => { });

    [Benchmark(Baseline = true), BenchmarkCategory("Inject", "Bytes")]
    public void W3C_Inject_Bytes() =>
        _w3c.Inject(_activity, _byteCarrier, static (c, n, v) => ((ByteHeaders)c!).Set(n, Encoding.UTF8.GetBytes(v)));

    [Benchmark, BenchmarkCategory("Inject", "Bytes")]
    public void Correlation_Inject_Bytes() => _propagator.Inject(_context, _byteCarrier, ByteSetter);

    [Benchmark(Baseline = true), BenchmarkCategory("Extract", "Dictionary")]
    public string? W3C_Extract_Dictionary()
    {
        _w3c.ExtractTraceIdAndState(_textInbound, static (object? c, string n, out string? v, out IEnumerable<string>? vs) =>
        {
            vs = null;
            ((Dictionary<string, string>)c!).TryGetValue(n, out v);
        }, out var traceId, out _);
        return traceId;
    }

    [Benchmark, BenchmarkCategory("Extract", "Dictionary")]
    public string Correlation_Extract_Dictionary() => _propagator.Extract(_textInbound, TextGetter).CorrelationId;

    [Benchmark(Baseline = true), BenchmarkCategory("Extract", "Bytes")]
    public string? W3C_Extract_Bytes()
    {
        _w3c.ExtractTraceIdAndState(_byteInbound, static (object? c, string n, out string? v, out IEnumerable<string>? vs) =>
        {
            vs = null;
            v = ((ByteHeaders)c!).TryGetLast(n, out var bytes) ? Encoding.UTF8.GetString(bytes.Span) : null;
        }, out var traceId, out _);
        return traceId;
    }

    [Benchmark, BenchmarkCategory("Extract", "Bytes")]
    public string Correlation_Extract_Bytes() => _propagator.Extract(_byteInbound, ByteGetter).CorrelationId;

    // The propagators' own cost on extract, without any carrier work: the getter answers by reference, no hashing.
    [Benchmark(Baseline = true), BenchmarkCategory("Extract", "NoOpCarrier")]
    public string? W3C_Extract_NoOp()
    {
        _w3c.ExtractTraceIdAndState(null, static (object? _, string n, out string? v, out IEnumerable<string>? vs) =>
        {
            vs = null;
            v = n == "traceparent" ? InboundTraceParent : null;
        }, out var traceId, out _);
        return traceId;
    }

    [Benchmark, BenchmarkCategory("Extract", "NoOpCarrier")]
    public string Correlation_Extract_NoOp() => _propagator.Extract(0, static (_, n) =>
        ReferenceEquals(n, CorrelationHeaders.CorrelationId) ? InboundId
        : ReferenceEquals(n, CorrelationHeaders.FlowMetadata) ? InboundFlow
        : InboundHeaderValue.Missing).CorrelationId;

    // The same without a flow header: what reading the flow metadata adds.
    [Benchmark, BenchmarkCategory("Extract", "NoOpCarrier")]
    public string Correlation_Extract_NoOp_NoFlowHeader() => _propagator.Extract(0, static (_, n) =>
        ReferenceEquals(n, CorrelationHeaders.CorrelationId) ? InboundId : InboundHeaderValue.Missing).CorrelationId;

    private const string InboundTraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private static readonly InboundHeaderValue InboundId = InboundHeaderValue.FromText("0f8fad5b-d9cb-469f-a165-70867728950e");
    private static readonly InboundHeaderValue InboundFlow = InboundHeaderValue.FromText("2 orders-api 1764505103123");

    /// <summary>A minimal byte-valued header list with replace semantics, shaped like Kafka's <c>Headers</c>.</summary>
    public sealed class ByteHeaders
    {
        private readonly List<(string Name, ReadOnlyMemory<byte> Value)> _items = new(8);

        public void Set(string name, ReadOnlyMemory<byte> value)
        {
            for (var i = 0; i < _items.Count; i++)
            {
                if (string.Equals(_items[i].Name, name, StringComparison.Ordinal))
                {
                    _items[i] = (name, value);
                    return;
                }
            }

            _items.Add((name, value));
        }

        public bool TryGetLast(string name, out ReadOnlyMemory<byte> value)
        {
            for (var i = _items.Count - 1; i >= 0; i--)
            {
                if (string.Equals(_items[i].Name, name, StringComparison.Ordinal))
                {
                    value = _items[i].Value;
                    return true;
                }
            }

            value = default;
            return false;
        }
    }
}
