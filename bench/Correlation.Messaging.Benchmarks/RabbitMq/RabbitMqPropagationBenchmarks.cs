using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq;
using Correlation.Messaging.MassTransit.Filters;
using Correlation.Messaging.MassTransit.RabbitMq.Internal;
using Correlation.Messaging.RabbitMq.Internal;
using MassTransit;
using MassTransit.RabbitMqTransport;
using RabbitMQ.Client;

namespace Correlation.Messaging.Benchmarks.RabbitMq;

/// <summary>
/// Per-message cost of the RabbitMQ adapter. Inject: MassTransit's send filter on a real <c>RabbitMqMessageSendContext</c>
/// (baseline: creating that context, which MassTransit does for every message anyway) and <c>WithCorrelation</c> on
/// RabbitMQ.Client properties. Extract: reading an inbound delivery's properties as MassTransit's receive filter and the
/// consumer wrapper do, with and without making the context ambient (baseline: the header lookups by hand).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RabbitMqPropagationBenchmarks
{
    private static readonly IPipe<SendContext> EmptySendPipe = Pipe.Empty<SendContext>();
    private static readonly IPipe<PublishContext> EmptyPublishPipe = Pipe.Empty<PublishContext>();

    private readonly CorrelationPropagator _propagator = new(new CorrelationOptions());
    private readonly object _message = new();
    private CorrelationSendFilter _sendFilter = null!;
    private CorrelationPublishFilter _publishFilter = null!;
    private CorrelationContext _context = null!;
    private BasicProperties _inbound = null!;
    private CorrelationScope _ambient;

    [GlobalSetup]
    public void Setup()
    {
        _sendFilter = new CorrelationSendFilter(_propagator, RabbitMqTransportCorrelation.Instance);
        _publishFilter = new CorrelationPublishFilter(_propagator, RabbitMqTransportCorrelation.Instance);
        _context = new CorrelationContext("0f8fad5b-d9cb-469f-a165-70867728950e", messageId: "7c9e6679-7425-40de-944b-e07fc1f90ae7");
        _ = _context.CorrelationIdUtf8;
        _ = _context.MessageIdUtf8;

        // An inbound delivery as RabbitMQ.Client hands it over: long strings as byte[], plus MassTransit's usual headers.
        _inbound = new BasicProperties
        {
            MessageId = "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            CorrelationId = "0f8fad5b-d9cb-469f-a165-70867728950e",
            Headers = new Dictionary<string, object?>
            {
                ["MT-Activity-Id"] = Encoding.UTF8.GetBytes("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
                ["X-Correlation-ID"] = Encoding.UTF8.GetBytes("0f8fad5b-d9cb-469f-a165-70867728950e"),
                ["X-Causation-ID"] = Encoding.UTF8.GetBytes("16fd2706-8baf-433b-82eb-8c7fada847da"),
                ["x-dotnet-pub-seq-no"] = 42L,
            },
        };

        // Outgoing messages are sent while a message is being handled: the ambient context is set.
#pragma warning disable CM0005 // Kept in a field on purpose: begun in GlobalSetup, disposed in GlobalCleanup.
        _ambient = CorrelationContext.BeginScope(_context);
#pragma warning restore CM0005
    }

    [GlobalCleanup]
    public void Cleanup() => _ambient.Dispose();

    [Benchmark(Baseline = true), BenchmarkCategory("Inject", "MassTransit")]
    public object MassTransit_SendContext_Only() => new RabbitMqMessageSendContext<object>(new BasicProperties(), "exchange", _message, CancellationToken.None);

    [Benchmark, BenchmarkCategory("Inject", "MassTransit")]
    public Task MassTransit_SendFilter()
    {
        var context = new RabbitMqMessageSendContext<object>(new BasicProperties(), "exchange", _message, CancellationToken.None);
        return _sendFilter.Send(context, EmptySendPipe);
    }

    [Benchmark, BenchmarkCategory("Inject", "MassTransit")]
    public Task MassTransit_PublishFilter()
    {
        var context = new RabbitMqMessageSendContext<object>(new BasicProperties(), "exchange", _message, CancellationToken.None);
        return _publishFilter.Send(context, EmptyPublishPipe);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Inject", "RabbitMQ.Client")]
    public BasicProperties Client_HandWrittenHeaders()
    {
        var properties = new BasicProperties { Headers = new Dictionary<string, object?>(StringComparer.Ordinal) };
        properties.Headers["X-Correlation-ID"] = _context.CorrelationId;
        properties.Headers["X-Causation-ID"] = _context.MessageId;
        properties.CorrelationId = _context.CorrelationId;
        return properties;
    }

    [Benchmark, BenchmarkCategory("Inject", "RabbitMQ.Client")]
    public BasicProperties Client_WithCorrelation() => new BasicProperties().WithCorrelation(_propagator);

    [Benchmark(Baseline = true), BenchmarkCategory("Extract")]
    public int Extract_HandWrittenLookup()
    {
        // What an application does by hand: look the header up and decode it.
        var headers = _inbound.Headers!;
        return headers.TryGetValue("X-Correlation-ID", out var value) && value is byte[] bytes ? Encoding.UTF8.GetString(bytes).Length : 0;
    }

    [Benchmark, BenchmarkCategory("Extract")]
    public string Extract_Validated()
    {
        IReadOnlyBasicProperties properties = _inbound;
        return _propagator.Extract(properties, AmqpCarrier.PropertiesGetter, AmqpCarrier.NativeCorrelationId(properties)).CorrelationId;
    }

    [Benchmark, BenchmarkCategory("Extract")]
    public string Extract_Validated_AndScope()
    {
        // The receive filter's and the consumer wrapper's per-delivery work: extract, make ambient, restore.
        IReadOnlyBasicProperties properties = _inbound;
        var extracted = _propagator.Extract(properties, AmqpCarrier.PropertiesGetter, AmqpCarrier.NativeCorrelationId(properties));
        using var scope = _propagator.BeginScope(extracted, AmqpCarrier.MessageId(properties));
        return scope.Context!.CorrelationId;
    }
}
