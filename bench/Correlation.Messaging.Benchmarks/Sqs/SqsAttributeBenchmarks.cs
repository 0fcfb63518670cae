using Amazon.SQS.Model;
using BenchmarkDotNet.Attributes;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs;
using Correlation.Messaging.Sqs.Propagation;

namespace Correlation.Messaging.Benchmarks.Sqs;

/// <summary>
/// Cost of writing and reading correlation metadata on the AWS SDK's <see cref="Dictionary{TKey,TValue}"/> of
/// <see cref="MessageAttributeValue"/>: separate attributes (the common case), the packed single attribute (when the
/// caller uses 9 of the 10 slots), and restoring a scope from a received <see cref="Message"/>.
/// </summary>
[MemoryDiagnoser]
public class SqsAttributeBenchmarks
{
    private readonly CorrelationPropagator _propagator = new(new CorrelationOptions());
    private readonly CorrelationContext _context = new(Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
    private Dictionary<string, MessageAttributeValue> _outgoing = null!;
    private Dictionary<string, MessageAttributeValue> _outgoingNineUser = null!;
    private Message _received = null!;
    private Message _receivedPacked = null!;
    private Message _receivedWithout = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ = _context.CorrelationIdUtf8; // cached once per context, as in a consume scope
        _ = _context.MessageIdUtf8;
        _outgoing = new() { ["tenant"] = Text("t-1"), ["type"] = Text("OrderPlaced") };
        _outgoingNineUser = Enumerable.Range(0, 9).ToDictionary(i => "user" + i, i => Text("v" + i));

        var separate = new Dictionary<string, MessageAttributeValue>(_outgoing);
        SqsCorrelationAttributes.Inject(_propagator, _context, separate);
        _received = new Message { MessageId = Guid.NewGuid().ToString(), MessageAttributes = separate };

        var packed = new Dictionary<string, MessageAttributeValue>(_outgoingNineUser);
        SqsCorrelationAttributes.Inject(_propagator, _context, packed);
        _receivedPacked = new Message { MessageId = Guid.NewGuid().ToString(), MessageAttributes = packed };
        _receivedWithout = new Message { MessageId = Guid.NewGuid().ToString(), MessageAttributes = new(_outgoing) };
    }

    [Benchmark(Description = "Inject: 2 user + 2 ours (separate)")]
    public SqsAttributeWriteOutcome InjectSeparate() => SqsCorrelationAttributes.Inject(_propagator, _context, _outgoing, "{\"order\":42}");

    [Benchmark(Description = "Inject: 9 user -> packed JSON")]
    public SqsAttributeWriteOutcome InjectPacked() => SqsCorrelationAttributes.Inject(_propagator, _context, _outgoingNineUser, "{\"order\":42}");

    [Benchmark(Description = "Extract: separate attributes")]
    public string ExtractSeparate() => _received.ExtractCorrelation(_propagator).CorrelationId;

    [Benchmark(Description = "Extract: packed attribute")]
    public string ExtractPacked() => _receivedPacked.ExtractCorrelation(_propagator).CorrelationId;

    [Benchmark(Description = "Extract: missing -> generate")]
    public string ExtractMissing() => _receivedWithout.ExtractCorrelation(_propagator).CorrelationId;

    [Benchmark(Description = "BeginCorrelationScope + Dispose")]
    public string? ScopePerMessage()
    {
        using var scope = _received.BeginCorrelationScope(_propagator);
        return scope.Context?.MessageId;
    }

    private static MessageAttributeValue Text(string value) => new() { DataType = "String", StringValue = value };
}
