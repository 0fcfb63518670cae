using System.Runtime.InteropServices;
using Confluent.Kafka;
using Correlation.Messaging.Contracts.Oracle;
using Correlation.Messaging.Kafka.Producer.Internal;
using Correlation.Messaging.Kafka.Tests.Fakes;
using Correlation.Messaging.Propagation;
using Microsoft.Extensions.DependencyInjection;

namespace Correlation.Messaging.Kafka.Tests.Producer;

public sealed class CorrelatingProducerTests
{
    private static readonly CorrelationPropagator Propagator = new(new CorrelationOptions());

    private readonly IProducer<string, string> _inner;
    private readonly InterfaceRecorder _recorder;
    private readonly IProducer<string, string> _producer;

    public CorrelatingProducerTests()
    {
        (_inner, _recorder) = InterfaceRecorder.Create<IProducer<string, string>>();
        _recorder.On(nameof(IProducer<string, string>.ProduceAsync), args => Task.FromResult(new DeliveryResult<string, string>
        {
            Message = (Message<string, string>)args[1]!,
            Status = PersistenceStatus.Persisted,
        }));
        _producer = _inner.WithCorrelation(Propagator);
    }

    private Message<string, string> Sent(int index = 0) =>
        (Message<string, string>)_recorder.Calls.Where(c => c.Method.StartsWith("Produce", StringComparison.Ordinal)).ElementAt(index).Args[1]!;

    [Fact]
    public void Produce_NoHeadersOutsideScope_WritesCorrelationAndFlowOnly()
    {
        _producer.Produce("t", new Message<string, string> { Key = "k", Value = "v" });

        var headers = Sent().Headers;
        headers.Select(h => h.Key).ShouldBe(["X-Correlation-ID", "X-Correlation-Flow"], "two headers at the edge: the wire budget");
        Guid.TryParse(headers.Text(CorrelationHeaders.CorrelationId), out _).ShouldBeTrue();
        FlowOracle.Parse(headers.Text("X-Correlation-Flow"))!.Depth.ShouldBe(1);
    }

    [Fact]
    public async Task ProduceAsync_InsideConsumeScope_CarriesCorrelationCausationAndFlowNoMessageId()
    {
        using var scope = CorrelationContext.BeginScope(new CorrelationContext("flow-1", "cause-0", "consumed-7"));

        var delivery = await _producer.ProduceAsync("t", new Message<string, string> { Value = "v" }, TestContext.Current.CancellationToken);

        var headers = Sent().Headers;
        headers.Text(CorrelationHeaders.CorrelationId).ShouldBe("flow-1");
        headers.Text(CorrelationHeaders.CausationId).ShouldBe("consumed-7");
        headers.Select(h => h.Key).ShouldBe(["X-Correlation-ID", "X-Causation-ID", "X-Correlation-Flow"], "no X-Message-ID: topic:partition:offset is the record's ID");
        delivery.Message.Headers.ShouldBeSameAs(headers, "the delivery result carries the message as written");
    }

    [Fact]
    public async Task AllFourProduceOverloads_Inject()
    {
        using var scope = CorrelationContext.BeginScope(new CorrelationContext("flow-2", messageId: "m"));
        var tp = new TopicPartition("t", new Partition(1));

        _producer.Produce("t", new Message<string, string>());
        _producer.Produce(tp, new Message<string, string>());
        await _producer.ProduceAsync("t", new Message<string, string>(), TestContext.Current.CancellationToken);
        await _producer.ProduceAsync(tp, new Message<string, string>(), TestContext.Current.CancellationToken);

        for (var i = 0; i < 4; i++)
        {
            Sent(i).Headers.Text(CorrelationHeaders.CorrelationId).ShouldBe("flow-2");
            Sent(i).Headers.Text(CorrelationHeaders.CausationId).ShouldBe("m");
        }

        _recorder.Calls.Where(c => c.Method.StartsWith("Produce", StringComparison.Ordinal)).Select(c => c.Args[0]).ShouldBe(["t", tp, "t", tp]);
    }

    [Fact]
    public void Produce_CallerHeadersHoldOurNames_ReplacedExactlyOnceAndOthersKeptInOrder()
    {
        using var scope = CorrelationContext.BeginScope(new CorrelationContext("mine", messageId: "m1"));
        var callerHeaders = Records.Headers(
            ("a", "1"),
            (CorrelationHeaders.CorrelationId, "stale"),
            ("x-correlation-id", "stale-lower"),
            (CorrelationHeaders.CausationId, "stale"),
            ("b", "2"),
            (CorrelationHeaders.MessageId, "stale"),
            (CorrelationHeaders.MessageId, "stale-2"));

        _producer.Produce("t", new Message<string, string> { Headers = callerHeaders });

        var sent = Sent().Headers;
        sent.Select(h => h.Key).ShouldBe(["a", "b", CorrelationHeaders.CorrelationId, CorrelationHeaders.CausationId, "X-Correlation-Flow"]);
        sent.Text(CorrelationHeaders.CorrelationId).ShouldBe("mine");
        sent.Text(CorrelationHeaders.CausationId).ShouldBe("m1");
    }

    [Fact]
    public void Produce_CallerReusesMessageAndHeaders_CallerObjectsUnchangedAndIdsDistinct()
    {
        var callerHeaders = Records.Headers(("tenant", "acme"));
        var message = new Message<string, string> { Key = "k", Value = "v", Headers = callerHeaders, Timestamp = new Timestamp(1_700_000_000_000, TimestampType.CreateTime) };

        using (CorrelationContext.BeginScope(new CorrelationContext("flow-a", messageId: "ma")))
        {
            _producer.Produce("t", message);
        }

        using (CorrelationContext.BeginScope(new CorrelationContext("flow-b", messageId: "mb")))
        {
            _producer.Produce("t", message);
        }

        message.Headers.ShouldBeSameAs(callerHeaders);
        callerHeaders.Select(h => h.Key).ShouldBe(["tenant"]);
        Sent(0).ShouldNotBeSameAs(message);
        Sent(0).Headers.Text(CorrelationHeaders.CorrelationId).ShouldBe("flow-a");
        Sent(1).Headers.Text(CorrelationHeaders.CorrelationId).ShouldBe("flow-b");
        Sent(1).Headers.Text(CorrelationHeaders.CausationId).ShouldBe("mb");
        foreach (var sent in new[] { Sent(0), Sent(1) })
        {
            sent.Key.ShouldBe("k");
            sent.Value.ShouldBe("v");
            sent.Timestamp.ShouldBe(message.Timestamp);
            sent.Headers.Text("tenant").ShouldBe("acme");
        }
    }

    [Fact]
    public void Produce_CorrelationHeaderValue_IsTheContextsCachedArray()
    {
        var context = new CorrelationContext("cached-bytes");
        using var scope = CorrelationContext.BeginScope(context);

        _producer.Produce("t", new Message<string, string>());

        MemoryMarshal.TryGetArray(context.CorrelationIdUtf8, out var cached).ShouldBeTrue();
        Sent().Headers.GetLastBytes(CorrelationHeaders.CorrelationId).ShouldBeSameAs(cached.Array);
    }

    [Fact]
    public void Produce_DeliveryHandler_PassedThroughUnchanged()
    {
        Action<DeliveryReport<string, string>> handler = _ => { };

        _producer.Produce("t", new Message<string, string>(), handler);

        _recorder.Calls.Single(c => c.Method == "Produce").Args[2].ShouldBeSameAs(handler);
    }

    [Fact]
    public void Produce_TwiceInOneScope_SharesOurHeaderObjectsPerPropagator()
    {
        using var scope = CorrelationContext.BeginScope(new CorrelationContext("shared", messageId: "m"));
        var other = _inner.WithCorrelation(new CorrelationPropagator(new CorrelationOptions { FlowHeaderName = "flow" }));

        _producer.Produce("t", new Message<string, string>());
        _producer.Produce("t", new Message<string, string>());
        other.Produce("t", new Message<string, string>());

        Sent(0).Headers.ShouldNotBeSameAs(Sent(1).Headers);
        for (var i = 0; i < 3; i++)
        {
            Sent(1).Headers[i].ShouldBeSameAs(Sent(0).Headers[i], "one flow's header objects are built once");
        }

        Sent(2).Headers.Select(h => h.Key).ShouldBe(["X-Correlation-ID", "X-Causation-ID", "flow"], "another propagator's names are its own");
    }

    [Fact]
    public void Produce_NullMessage_Throws() =>
        Should.Throw<ArgumentNullException>(() => _producer.Produce("t", null!));

    [Fact]
    public void Produce_CustomHeaderNames_UsesPropagatorOptions()
    {
        var options = new CorrelationOptions { HeaderName = "corr", CausationHeaderName = "cause", MessageIdHeaderName = "mid", FlowHeaderName = "flow" };
        var producer = _inner.WithCorrelation(new CorrelationPropagator(options));
        using var scope = CorrelationContext.BeginScope(new CorrelationContext("c1", messageId: "m1"));

        producer.Produce("t", new Message<string, string> { Headers = Records.Headers(("MID", "stale")) });

        Sent().Headers.Select(h => h.Key).ShouldBe(["corr", "cause", "flow"], "a stale message-ID header (any spelling) is removed, none is written");
    }

    [Fact]
    public void EveryOtherMember_PassesThroughToInnerProducer()
    {
        var skipped = new[] { "Produce", "ProduceAsync" };
        var methods = typeof(IProducer<string, string>).GetInterfaces().Append(typeof(IProducer<string, string>))
            .SelectMany(i => i.GetMethods())
            .Where(m => !skipped.Contains(m.Name))
            .ToList();
        methods.Count.ShouldBeGreaterThan(10);

        foreach (var method in methods)
        {
            var args = method.GetParameters().Select(p => p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null).ToArray();
            var before = _recorder.Calls.Count;
            method.Invoke(_producer, args);
            _recorder.Calls.Count.ShouldBe(before + 1, method.ToString());
            _recorder.Calls[^1].Method.ShouldBe(method.Name);
        }
    }

    [Fact]
    public void WithCorrelation_Twice_DoesNotWrapTwice()
    {
        _producer.WithCorrelation(Propagator).ShouldBeSameAs(_producer);
        var other = _producer.WithCorrelation(CorrelationPropagator.Default);
        other.ShouldBeOfType<CorrelatingProducer<string, string>>().Inner.ShouldBeSameAs(_inner);
    }

    [Fact]
    public void WithCorrelation_NullArguments_Throw()
    {
        Should.Throw<ArgumentNullException>(() => ((IProducer<string, string>)null!).WithCorrelation(Propagator));
        Should.Throw<ArgumentNullException>(() => _inner.WithCorrelation(null!));
    }

    [Fact]
    public void Builder_Build_ReturnsCorrelatingProducer()
    {
        using var producer = new CorrelatingProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = "127.0.0.1:1" }, Propagator).Build();

        producer.ShouldBeOfType<CorrelatingProducer<string, string>>().Propagator.ShouldBeSameAs(Propagator);
    }

    [Fact]
    public void AddKafkaProducer_RegistersCorrelatingSingletonWithRegisteredPropagator()
    {
        var services = new ServiceCollection();
        services.AddCorrelation(o => o.HeaderName = "corr").AddKafkaProducer<string, string>(new ProducerConfig { BootstrapServers = "127.0.0.1:1" });
        using var provider = services.BuildServiceProvider();

        var producer = provider.GetRequiredService<IProducer<string, string>>();

        producer.ShouldBeSameAs(provider.GetRequiredService<IProducer<string, string>>());
        var correlating = producer.ShouldBeOfType<CorrelatingProducer<string, string>>();
        correlating.Propagator.ShouldBeSameAs(provider.GetRequiredService<CorrelationPropagator>());
        correlating.Propagator.HeaderName.ShouldBe("corr");
    }

    [Fact]
    public void Prepare_AllocatesLittle()
    {
        var producer = (CorrelatingProducer<string, string>)_producer;
        using var scope = CorrelationContext.BeginScope(new CorrelationContext("alloc", messageId: "m"));
        var message = new Message<string, string> { Value = "v" };
        _ = producer.Prepare(message);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            _ = producer.Prepare(message);
        }

        var perMessage = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;

        // Message, Headers, its list and array, three Header objects, and the 36-byte message ID: no copies of the IDs' text.
        perMessage.ShouldBeLessThan(512);
    }
}
