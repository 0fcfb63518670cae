using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Confluent.Kafka;
using Correlation.Messaging.Kafka;
using Correlation.Messaging.Kafka.Internal;
using Correlation.Messaging.Kafka.Producer.Internal;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Benchmarks.Kafka;

/// <summary>
/// The Kafka adapter's per-message work, without a broker: preparing an outgoing message (copy of the caller's
/// headers, then the correlation, causation and flow headers, shared header objects of the ambient context) against a
/// raw producer writing the same headers by hand, and restoring a consumed record's context (strict UTF-8 decode,
/// validation, flow metadata, scope with logging state).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class KafkaPropagationBenchmarks
{
    private readonly CorrelationPropagator _propagator = new(new CorrelationOptions());
    private CorrelatingProducer<string, string> _producer = null!;
    private CorrelationContext _context = null!;
    private Message<string, string> _bare = null!;
    private Message<string, string> _withHeaders = null!;
    private ConsumeResult<string, string> _consumed = null!;
    private ConsumeResult<string, string> _foreign = null!;
    private byte[] _correlation = null!;
    private byte[] _causation = null!;
    private byte[] _flow = null!;

    [GlobalSetup]
    public void Setup()
    {
        _producer = (CorrelatingProducer<string, string>)new NullProducer().WithCorrelation(_propagator);
        _context = new CorrelationContext("0f8fad5b-d9cb-469f-a165-70867728950e", "5c0d7a8e-1b2c-4d3e-9f40-1a2b3c4d5e6f", "01890a5d-ac96-774b-bcce-b302099a8057");
        _ = _context.CorrelationIdUtf8;
        _ = _context.MessageIdUtf8;
#pragma warning disable CM0005 // Never disposed on purpose: ambient for the whole run, as inside a handler.
        CorrelationContext.BeginScope(_context); // ambient for the whole run, as inside a handler
#pragma warning restore CM0005
        _bare = new Message<string, string> { Key = "k", Value = "v" };
        var written = _producer.Prepare(_bare).Headers;
        _correlation = written.GetLastBytes(CorrelationHeaders.CorrelationId);
        _causation = written.GetLastBytes(CorrelationHeaders.CausationId);
        _flow = written.GetLastBytes(CorrelationHeaders.FlowMetadata);
        _withHeaders = new Message<string, string>
        {
            Key = "k",
            Value = "v",
            Headers = new Headers { { "tenant", "acme"u8.ToArray() }, { "content-type", "application/json"u8.ToArray() } },
        };
        var inbound = new Headers
        {
            { CorrelationHeaders.CorrelationId, "0f8fad5b-d9cb-469f-a165-70867728950e"u8.ToArray() },
            { CorrelationHeaders.CausationId, "5c0d7a8e-1b2c-4d3e-9f40-1a2b3c4d5e6f"u8.ToArray() },
            { CorrelationHeaders.FlowMetadata, "2 orders-api 1764505103123"u8.ToArray() },
            { "tenant", "acme"u8.ToArray() },
        };
        _consumed = new ConsumeResult<string, string> { Topic = "orders", Partition = 1, Offset = 42, Message = new Message<string, string> { Value = "v", Headers = inbound } };
        _foreign = new ConsumeResult<string, string>
        {
            Topic = "orders",
            Partition = 1,
            Offset = 43,
            Message = new Message<string, string> { Value = "v", Headers = new Headers { { CorrelationHeaders.CorrelationId, "0f8fad5b-d9cb-469f-a165-70867728950e"u8.ToArray() } } },
        };
    }

    // What a caller pays without the adapter: nothing but its own message.
    [Benchmark(Baseline = true), BenchmarkCategory("Inject")]
    public Message<string, string> Raw_MessageAsIs() => _bare;

    [Benchmark, BenchmarkCategory("Inject")]
    public Message<string, string> Prepare_NoCallerHeaders() => _producer.Prepare(_bare);

    // The allocation goal: an application's whole per-message cost. Raw: a message with the same three headers written
    // by hand from cached bytes. Correlating: the application's message without headers, then the wrapper's copy.
    [Benchmark, BenchmarkCategory("PerMessage")]
    public Message<string, string> HandWritten_SameHeaders() => new()
    {
        Key = "k",
        Value = "v",
        Headers = new Headers { { CorrelationHeaders.CorrelationId, _correlation }, { CorrelationHeaders.CausationId, _causation }, { CorrelationHeaders.FlowMetadata, _flow } },
    };

    [Benchmark, BenchmarkCategory("PerMessage")]
    public Message<string, string> Correlating_NewMessage() => _producer.Prepare(new Message<string, string> { Key = "k", Value = "v" });

    [Benchmark, BenchmarkCategory("Inject")]
    public Message<string, string> Prepare_TwoCallerHeaders() => _producer.Prepare(_withHeaders);

    // Core's Inject into Kafka headers alone: the correlation and causation values are the cached arrays (0 B each).
    [Benchmark, BenchmarkCategory("Inject")]
    public Headers Inject_IntoNewHeaders()
    {
        var headers = new Headers();
        _propagator.Inject(_context, headers, KafkaHeaders.Setter);
        return headers;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Extract")]
    public ExtractedCorrelation Extract_ThreeHeaders() => _propagator.Extract(_consumed.Message.Headers, KafkaHeaders.Getter, readMessageIdHeader: true);

    [Benchmark, BenchmarkCategory("Extract")]
    public CorrelationContext? BeginCorrelationScope_ThreeHeaders()
    {
        using var scope = _consumed.BeginCorrelationScope(_propagator);
        return scope.Context;
    }

    [Benchmark, BenchmarkCategory("Extract")]
    public CorrelationContext? BeginCorrelationScope_ForeignNoMessageId()
    {
        using var scope = _foreign.BeginCorrelationScope(_propagator);
        return scope.Context;
    }

    private sealed class NullProducer : IProducer<string, string>
    {
        public Handle Handle => throw new NotSupportedException();

        public string Name => "null";

        public int AddBrokers(string brokers) => 0;

        public void SetSaslCredentials(string username, string password)
        {
        }

        public Task<DeliveryResult<string, string>> ProduceAsync(string topic, Message<string, string> message, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<DeliveryResult<string, string>> ProduceAsync(TopicPartition topicPartition, Message<string, string> message, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public void Produce(string topic, Message<string, string> message, Action<DeliveryReport<string, string>>? deliveryHandler = null)
        {
        }

        public void Produce(TopicPartition topicPartition, Message<string, string> message, Action<DeliveryReport<string, string>>? deliveryHandler = null)
        {
        }

        public int Poll(TimeSpan timeout) => 0;

        public int Flush(TimeSpan timeout) => 0;

        public void Flush(CancellationToken cancellationToken = default)
        {
        }

        public void InitTransactions(TimeSpan timeout)
        {
        }

        public void BeginTransaction()
        {
        }

        public void CommitTransaction(TimeSpan timeout)
        {
        }

        public void CommitTransaction()
        {
        }

        public void AbortTransaction(TimeSpan timeout)
        {
        }

        public void AbortTransaction()
        {
        }

        public void SendOffsetsToTransaction(IEnumerable<TopicPartitionOffset> offsets, IConsumerGroupMetadata groupMetadata, TimeSpan timeout)
        {
        }

        public void Dispose()
        {
        }
    }
}
