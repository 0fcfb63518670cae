using System.Diagnostics;
using System.Reflection;
using Confluent.Kafka;
using Correlation.Messaging.Kafka.Tests.Fakes;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Kafka.Tests.Consumer;

/// <summary>Issue 13's Kafka consumer defects (4, 5, 9), the header lookup rule, and the async-void suspicion.</summary>
public sealed class DefectTests
{
    private readonly Queue<Func<ConsumeResult<string, string>?>> _queue = new();
    private readonly IConsumer<string, string> _consumer;
    private readonly InterfaceRecorder _recorder;

    public DefectTests()
    {
        (_consumer, _recorder) = InterfaceRecorder.Create<IConsumer<string, string>>();
        _recorder.On(nameof(IConsumer<string, string>.Consume), _ => _queue.Count > 0 ? _queue.Dequeue()() : null);
    }

    private static ConsumeResult<string, string> Record(string correlationId, long offset, int partition = 0) =>
        Records.Consumed(Records.Headers((CorrelationHeaders.CorrelationId, correlationId)), partition: partition, offset: offset);

    [Fact]
    public void BeginCorrelationScope_ExactNameAndCaseVariant_ExactSpellingWinsAndDuplicateLogged()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var propagator = new CorrelationPropagator(new CorrelationOptions(), factory);
        var result = Records.Consumed(Records.Headers(("X-Correlation-ID", "first"), ("x-correlation-id", "second")));

        using var scope = result.BeginCorrelationScope(propagator);

        scope.Context!.CorrelationId.ShouldBe("first");
        logs.WithEventName("DuplicateHeader").ShouldHaveSingleItem();
    }

    [Fact]
    public void ConsumeWithCorrelation_LeakedTracedScope_LeakGuardClosesLoggingScopeAndSpan()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var propagator = new CorrelationPropagator(new CorrelationOptions { PropagateTraceContext = true }, factory);
        var logger = factory.CreateLogger("handler");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Correlation.Messaging.Kafka",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);

        #pragma warning disable CM0005 // the leak guard under test needs a scope that is never disposed
        _ = Record("leaked-flow", 1).BeginCorrelationScope(propagator); // never disposed
        #pragma warning restore CM0005
        var leakedSpan = Activity.Current.ShouldNotBeNull();
        _queue.Enqueue(() => Record("next-flow", 2));

        _consumer.ConsumeWithCorrelation(propagator, _ => logger.LogInformation("handling"), TestContext.Current.CancellationToken);

        var line = logs.Logs.Single(l => l.Message == "handling");
        line.CorrelationId.ShouldBe("next-flow");
        line.Scopes.Count(s => s is IEnumerable<KeyValuePair<string, object?>> pairs && pairs.Any(p => p.Key == "correlation_id"))
            .ShouldBe(1, "the leaked scope's logging scope must be closed, not left under the next record's");
        leakedSpan.IsStopped.ShouldBeTrue("the leaked scope's consumer span must end");
        logs.WithEventName("LeakedContextCleared").ShouldHaveSingleItem();
        Activity.Current.ShouldBeNull();
        logger.LogInformation("after");
        logs.Logs.Single(l => l.Message == "after").Scopes.ShouldBeEmpty();
    }

    [Fact]
    public void ConsumeBatchWithCorrelation_ConsumeThrowsMidCollection_CollectedRecordsHandledAndErrorThrownNext()
    {
        var poison = new ConsumeException(
            new ConsumeResult<byte[], byte[]> { Topic = "orders", Partition = 0, Offset = 3, Message = new Message<byte[], byte[]>() },
            new Error(ErrorCode.Local_ValueDeserialization, "bad value"));
        _queue.Enqueue(() => Record("flow-a", 1));
        _queue.Enqueue(() => Record("flow-b", 2));
        _queue.Enqueue(() => throw poison);
        _queue.Enqueue(() => Record("flow-d", 4));
        var handled = new List<string>();
        var ct = TestContext.Current.CancellationToken;

        var first = _consumer.ConsumeBatchWithCorrelation(CorrelationPropagator.Default, 10, TimeSpan.FromSeconds(5), _ => handled.Add(CorrelationContext.Current!.CorrelationId), ct);

        first.Select(r => r.Offset.Value).ShouldBe([1L, 2L], "records collected before the failure are returned, so their offsets can be stored");
        handled.ShouldBe(["flow-a", "flow-b"]);
        Should.Throw<ConsumeException>(() => _consumer.ConsumeBatchWithCorrelation(CorrelationPropagator.Default, 10, TimeSpan.FromSeconds(5), _ => handled.Add("x"), ct))
            .ShouldBeSameAs(poison);
        var third = _consumer.ConsumeBatchWithCorrelation(CorrelationPropagator.Default, 10, TimeSpan.FromMilliseconds(200), _ => handled.Add(CorrelationContext.Current!.CorrelationId), ct);
        third.Select(r => r.Offset.Value).ShouldBe([4L]);
        _recorder.Calls.ShouldNotContain(c => c.Method == nameof(IConsumer<string, string>.Seek));
    }

    [Fact]
    public void BeginCorrelationScope_LongTopicOffsetReference_SurvivesAsCausation()
    {
        var topic = new string('t', 200);
        var consumed = Records.Consumed(Records.Headers((CorrelationHeaders.CorrelationId, "flow-long")), topic: topic, partition: 7, offset: 123456789);
        var propagator = CorrelationPropagator.Default;
        var downstream = new Headers();

        using (var scope = consumed.BeginCorrelationScope(propagator))
        {
            scope.Context!.MessageId.ShouldBe($"{topic}:7:123456789");
            propagator.Inject(scope.Context, downstream, static (h, n, v) => h.Add(n, v.Utf8.ToArray()));
        }

        var next = Records.Consumed(downstream);
        using var nextScope = next.BeginCorrelationScope(propagator);
        nextScope.Context!.CausationId.ShouldBe($"{topic}:7:123456789", "a reader must keep the causation written from a long topic:partition:offset reference");
    }

    [Fact]
    public void SyncHandlerOverloads_AsyncLambda_BindsToObsoleteErrorOverload()
    {
        // An async lambda converts to Action<ConsumeResult> as async void; a Func<ConsumeResult, Task> overload is a
        // better conversion, so marking it obsolete-as-error turns that mistake into a compile error (CS0619).
        var methods = typeof(ConsumerCorrelationExtensions).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name is nameof(ConsumerCorrelationExtensions.ConsumeWithCorrelation) or nameof(ConsumerCorrelationExtensions.ConsumeBatchWithCorrelation))
            .ToList();
        var syncOverloads = methods.Where(m => m.GetParameters().Any(p => p.ParameterType.IsGenericType && p.ParameterType.GetGenericTypeDefinition() == typeof(Action<>))).ToList();
        var guards = methods.Where(m => m.GetParameters().Any(p => p.ParameterType.IsGenericType && p.ParameterType.GetGenericTypeDefinition() == typeof(Func<,>)
            && p.ParameterType.GetGenericArguments()[1] == typeof(Task))).ToList();

        syncOverloads.Count.ShouldBe(3);
        guards.Count.ShouldBe(syncOverloads.Count, "every Action<ConsumeResult> overload needs a Func<ConsumeResult, Task> twin that refuses async lambdas");
        guards.ShouldAllBe(m => m.GetCustomAttribute<ObsoleteAttribute>() != null && m.GetCustomAttribute<ObsoleteAttribute>()!.IsError);
    }
}
