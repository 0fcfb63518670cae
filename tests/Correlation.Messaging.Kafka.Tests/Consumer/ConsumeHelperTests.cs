using Confluent.Kafka;
using Correlation.Messaging.Kafka.Tests.Fakes;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Kafka.Tests.Consumer;

public sealed class ConsumeHelperTests
{
    private static readonly CorrelationPropagator Propagator = new(new CorrelationOptions());

    private readonly Queue<ConsumeResult<string, string>?> _queue = new();
    private readonly IConsumer<string, string> _consumer;
    private readonly InterfaceRecorder _recorder;

    public ConsumeHelperTests()
    {
        (_consumer, _recorder) = InterfaceRecorder.Create<IConsumer<string, string>>();
        _recorder.On(nameof(IConsumer<string, string>.Consume), _ => _queue.Count > 0 ? _queue.Dequeue() : null);
    }

    private static ConsumeResult<string, string> Record(string correlationId, long offset, int partition = 0) =>
        Records.Consumed(Records.Headers((CorrelationHeaders.CorrelationId, correlationId)), partition: partition, offset: offset);

    [Fact]
    public void ConsumeWithCorrelation_HandlerSeesContext_ClearedAfter()
    {
        _queue.Enqueue(Record("flow-1", 1));
        string? seen = null;

        var result = _consumer.ConsumeWithCorrelation(Propagator, _ => seen = CorrelationContext.Current?.CorrelationId, TestContext.Current.CancellationToken);

        seen.ShouldBe("flow-1");
        result.Offset.Value.ShouldBe(1);
        CorrelationContext.Current.ShouldBeNull();
        _recorder.Calls.ShouldNotContain(c => c.Method.StartsWith("Commit", StringComparison.Ordinal) || c.Method == "StoreOffset");
    }

    [Fact]
    public void ConsumeWithCorrelation_Timeout_ReturnsNullWithoutHandler()
    {
        var called = false;

        _consumer.ConsumeWithCorrelation(Propagator, _ => called = true, TimeSpan.FromMilliseconds(1)).ShouldBeNull();

        called.ShouldBeFalse();
    }

    [Fact]
    public void ConsumeWithCorrelation_PartitionEof_NotHandled()
    {
        _queue.Enqueue(new ConsumeResult<string, string> { IsPartitionEOF = true, Topic = "t", Partition = 0, Offset = 5 });
        var called = false;

        var result = _consumer.ConsumeWithCorrelation(Propagator, _ => called = true, TimeSpan.FromMilliseconds(1));

        result.ShouldNotBeNull().IsPartitionEOF.ShouldBeTrue();
        called.ShouldBeFalse();
    }

    [Fact]
    public void ConsumeWithCorrelation_HandlerThrows_WrappedWithRecordAndContextCleared()
    {
        var record = Record("flow-err", 7);
        _queue.Enqueue(record);
        var boom = new InvalidOperationException("boom");

        var ex = Should.Throw<ConsumeProcessingException<string, string>>(() =>
            _consumer.ConsumeWithCorrelation(Propagator, (Action<ConsumeResult<string, string>>)(_ => throw boom), TimeSpan.FromMilliseconds(1)));

        ex.InnerException.ShouldBeSameAs(boom);
        ex.ConsumeResult.ShouldBeSameAs(record);
        ex.Context!.CorrelationId.ShouldBe("flow-err");
        CorrelationContext.Current.ShouldBeNull();
        _recorder.Calls.ShouldNotContain(c => c.Method.StartsWith("Commit", StringComparison.Ordinal) || c.Method == "StoreOffset" || c.Method == "Seek");
    }

    [Fact]
    public void ConsumeWithCorrelation_RejectedId_WrappedWithRecordAndHandlerNotCalled()
    {
        var reject = new CorrelationPropagator(new CorrelationOptions { MissingIdPolicy = MissingCorrelationIdPolicy.Reject });
        var record = Records.Consumed(new Headers());
        _queue.Enqueue(record);
        var called = false;

        var ex = Should.Throw<ConsumeProcessingException<string, string>>(() =>
            _consumer.ConsumeWithCorrelation(reject, _ => called = true, TimeSpan.FromMilliseconds(1)));

        ex.InnerException.ShouldBeOfType<CorrelationIdRejectedException>().Problem.ShouldBe(CorrelationIdProblem.Missing);
        ex.ConsumeResult.ShouldBeSameAs(record);
        ex.Context.ShouldBeNull();
        called.ShouldBeFalse();
    }

    [Fact]
    public void ConsumeWithCorrelation_CancelledHandler_OperationCanceledNotWrapped()
    {
        using var cts = new CancellationTokenSource();
        _queue.Enqueue(Record("flow-c", 1));

        Should.Throw<OperationCanceledException>(() => _consumer.ConsumeWithCorrelation(
            Propagator,
            _ =>
            {
                cts.Cancel();
                cts.Token.ThrowIfCancellationRequested();
            },
            cts.Token));
        CorrelationContext.Current.ShouldBeNull();
    }

    [Fact]
    public void ConsumeWithCorrelation_LeakedContext_ClearedAndLoggedBeforeNextRecord()
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var propagator = new CorrelationPropagator(new CorrelationOptions(), factory);
        _queue.Enqueue(Record("flow-next", 2));
#pragma warning disable CM0005 // The scope is leaked on purpose: the helper must clear it before the next record.
        CorrelationContext.BeginScope(new CorrelationContext("leaked")); // never disposed
#pragma warning restore CM0005
        CorrelationContext? atHandler = null;

        _consumer.ConsumeWithCorrelation(propagator, _ => atHandler = CorrelationContext.Current, TimeSpan.FromMilliseconds(1));

        atHandler!.CorrelationId.ShouldBe("flow-next");
        CorrelationContext.Current.ShouldBeNull();
        logs.WithEventName("LeakedContextCleared").Single().Message.ShouldContain("leaked");
    }

    [Fact]
    public async Task ConsumeWithCorrelationAsync_AwaitedHandlerSeesContextAcrossAwait()
    {
        _queue.Enqueue(Record("flow-async", 3));
        string? afterAwait = null;

        await _consumer.ConsumeWithCorrelationAsync(
            Propagator,
            async (_, ct) =>
            {
                await Task.Yield();
                afterAwait = CorrelationContext.Current?.CorrelationId;
            },
            TestContext.Current.CancellationToken);

        afterAwait.ShouldBe("flow-async");
        CorrelationContext.Current.ShouldBeNull();
    }

    [Fact]
    public async Task ConsumeWithCorrelationAsync_HandlerThrows_Wrapped()
    {
        _queue.Enqueue(Record("flow-async-err", 3));

        var ex = await Should.ThrowAsync<ConsumeProcessingException<string, string>>(() => _consumer.ConsumeWithCorrelationAsync(
            Propagator,
            async (_, _) =>
            {
                await Task.Yield();
                throw new InvalidOperationException("x");
            },
            TestContext.Current.CancellationToken));

        ex.Context!.CorrelationId.ShouldBe("flow-async-err");
    }

    [Fact]
    public void ConsumeBatchWithCorrelation_EachRecordOwnScope()
    {
        for (var i = 0; i < 5; i++)
        {
            _queue.Enqueue(Record($"flow-{i}", i));
        }

        var seen = new List<(string Correlation, long Offset)>();
        var batch = _consumer.ConsumeBatchWithCorrelation(Propagator, 10, TimeSpan.FromSeconds(5), r => seen.Add((CorrelationContext.Current!.CorrelationId, r.Offset.Value)), TestContext.Current.CancellationToken);

        batch.Count.ShouldBe(5);
        seen.ShouldBe([("flow-0", 0L), ("flow-1", 1L), ("flow-2", 2L), ("flow-3", 3L), ("flow-4", 4L)]);
        CorrelationContext.Current.ShouldBeNull();
    }

    [Fact]
    public void ConsumeBatchWithCorrelation_StopsAtMaxBatchSize()
    {
        for (var i = 0; i < 5; i++)
        {
            _queue.Enqueue(Record($"flow-{i}", i));
        }

        _consumer.ConsumeBatchWithCorrelation(Propagator, 3, TimeSpan.FromSeconds(5), _ => { }, TestContext.Current.CancellationToken).Count.ShouldBe(3);
        _queue.Count.ShouldBe(2);
    }

    [Fact]
    public void ConsumeBatchWithCorrelation_HandlerFails_RewindsUnhandledRecordsPerPartition()
    {
        _queue.Enqueue(Record("a", 10, partition: 0));
        _queue.Enqueue(Record("b", 20, partition: 1));
        _queue.Enqueue(Record("fail", 11, partition: 0));
        _queue.Enqueue(Record("c", 21, partition: 1));
        _queue.Enqueue(Record("d", 12, partition: 0));
        _queue.Enqueue(Record("e", 22, partition: 1));
        var handled = new List<string>();

        var ex = Should.Throw<ConsumeProcessingException<string, string>>(() => _consumer.ConsumeBatchWithCorrelation(
            Propagator,
            10,
            TimeSpan.FromSeconds(5),
            _ =>
            {
                var id = CorrelationContext.Current!.CorrelationId;
                if (id == "fail")
                {
                    throw new InvalidOperationException();
                }

                handled.Add(id);
            },
            TestContext.Current.CancellationToken));

        handled.ShouldBe(["a", "b"]);
        ex.ConsumeResult!.Offset.Value.ShouldBe(11);
        var seeks = _recorder.Calls.Where(c => c.Method == "Seek").Select(c => (TopicPartitionOffset)c.Args[0]!).ToList();
        seeks.ShouldBe([new TopicPartitionOffset("orders", 1, 21), new TopicPartitionOffset("orders", 0, 12)]);
        CorrelationContext.Current.ShouldBeNull();
    }

    [Fact]
    public void Helpers_NullArguments_Throw()
    {
        Should.Throw<ArgumentNullException>(() => _consumer.ConsumeWithCorrelation(null!, _ => { }, TimeSpan.Zero));
        Should.Throw<ArgumentNullException>(() => _consumer.ConsumeWithCorrelation(Propagator, (Action<ConsumeResult<string, string>>)null!, TimeSpan.Zero));
        Should.Throw<ArgumentNullException>(() => ((IConsumer<string, string>)null!).ConsumeWithCorrelation(Propagator, _ => { }, TimeSpan.Zero));
        Should.Throw<ArgumentOutOfRangeException>(() => _consumer.ConsumeBatchWithCorrelation(Propagator, 0, TimeSpan.Zero, _ => { }));
    }
}
