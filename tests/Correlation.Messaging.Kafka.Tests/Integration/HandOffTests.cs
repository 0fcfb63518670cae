using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Confluent.Kafka;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Kafka.Tests.Integration;

/// <summary>
/// Issue 14 on Kafka: work that leaves the consume loop. A batch handed to a worker pool keeps one flow per record
/// (one capsule each), and an outbox relay re-sending stored messages keeps each stored ID. Each fix has a twin that
/// shows the loss without it.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class HandOffTests(KafkaFixture kafka)
{
    private const int Records = 200;
    private const int Workers = 4;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConsumedBatch_HandedToWorkerPoolAsCorrelatedItems_EveryRecordKeepsItsOwnFlowAndCausation()
    {
        var run = await HandToWorkerPoolAsync(correlated: true);

        // The oracle is the test's own table of which flow produced which key, not anything the library reports.
        run.Seen.Count.ShouldBe(Records);
        foreach (var (key, seen) in run.Seen)
        {
            seen.CorrelationId.ShouldBe(FlowOf(key), $"record {key} ran under another flow (cross-talk) or a new one");
            seen.CausationId.ShouldBe(run.ConsumedMessageIds[key], $"record {key}: the work's cause must be the consumed record");
        }

        var lines = run.Logs.Logs.Where(l => l.Category == "worker").ToList();
        lines.Count.ShouldBe(Records);
        lines.ShouldAllBe(l => l.CorrelationId == FlowOf(l.Message.Substring("working ".Length)));
    }

    [Fact]
    public async Task ConsumedBatch_HandedToWorkerPoolAsPlainItems_EveryRecordLosesItsFlow()
    {
        // The twin: the same pool fed plain records. Its workers were started before any flow, so nothing is ambient.
        var run = await HandToWorkerPoolAsync(correlated: false);

        run.Seen.Count.ShouldBe(Records);
        run.Seen.Values.ShouldAllBe(c => c.CorrelationId == "(none)");
        run.Logs.Logs.Where(l => l.Category == "worker").ShouldAllBe(l => l.CorrelationId == null);
    }

    [Fact]
    public async Task OutboxRelay_StoredMessagesResentWithNothingAmbient_EachKeepsItsStoredCorrelationAndCausation()
    {
        var sent = await RelayOutboxAsync(relayFlow: null);

        sent.Count.ShouldBe(OutboxRows);
        foreach (var (key, headers) in sent)
        {
            headers.Correlation.ShouldBe(FlowOf(key));
            headers.Causation.ShouldBe(CauseOf(key));
        }
    }

    [Fact]
    public async Task OutboxRelay_RelayRunningInsideAFlowOfItsOwn_OverwritesEveryStoredId()
    {
        // The twin, and the trap it documents: a relay loop started inside a flow (a request, a job) sends its own ID.
        var sent = await RelayOutboxAsync(relayFlow: "relay-own-flow");

        sent.Count.ShouldBe(OutboxRows);
        sent.Values.ShouldAllBe(h => h.Correlation == "relay-own-flow");
    }

    private const int OutboxRows = 30;

    private static string FlowOf(string key) => "handoff-flow-" + key;

    private static string CauseOf(string key) => "inbound-msg-" + key;

    private async Task<PoolRun> HandToWorkerPoolAsync(bool correlated)
    {
        var run = new PoolRun();
        using var factory = LoggerFactory.Create(b => b.AddProvider(run.Logs));
        var propagator = new CorrelationPropagator(new CorrelationOptions(), factory);
        var logger = factory.CreateLogger("worker");
        var topic = KafkaFixture.NewTopic("handoff");
        await kafka.TryCreateTopicAsync(topic, 1);   // one partition: the assigned consumer reads partition 0

        // Workers start first, outside any flow, as a BackgroundService's loop does.
        var correlatedItems = Channel.CreateUnbounded<Correlated<ConsumeResult<string, string>>>();
        var plainItems = Channel.CreateUnbounded<ConsumeResult<string, string>>();
        Task[] workers;
        using (ExecutionContext.SuppressFlow())
        {
            workers = [.. Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
            {
                if (correlated)
                {
                    await foreach (var item in correlatedItems.Reader.ReadAllAsync(Ct))
                    {
                        using var scope = item.Restore(propagator);
                        await WorkAsync(item.Value);
                    }
                }
                else
                {
                    await foreach (var record in plainItems.Reader.ReadAllAsync(Ct))
                    {
                        await WorkAsync(record);
                    }
                }
            }))];
        }

        async Task WorkAsync(ConsumeResult<string, string> record)
        {
            await Task.Yield();
            logger.LogInformation("working {Key}", record.Message.Key);
            var current = CorrelationContext.Current;
            run.Seen[record.Message.Key] = (current?.CorrelationId ?? "(none)", current?.CausationId);
        }

        using (var producer = kafka.CorrelatingProducer(propagator))
        {
            for (var i = 0; i < Records; i++)
            {
                var key = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                using (CorrelationContext.BeginScope(new CorrelationContext(FlowOf(key))))
                {
                    producer.Produce(topic, new Message<string, string> { Key = key, Value = "work" });
                }
            }

            producer.Flush(Ct);
        }

        using var consumer = kafka.AssignedConsumer(topic);
        var consumed = 0;
        KafkaFixture.Until(() => consumed == Records, () =>
        {
            // One batch at a time, as a batch consumer would: each record is captured inside its own consume scope.
            var batch = consumer.ConsumeBatchWithCorrelation(propagator, 50, TimeSpan.FromMilliseconds(500), record =>
            {
                run.ConsumedMessageIds[record.Message.Key] = CorrelationContext.Current!.MessageId;
                if (correlated)
                {
                    correlatedItems.Writer.TryWriteCorrelated(record).ShouldBeTrue();
                }
                else
                {
                    plainItems.Writer.TryWrite(record).ShouldBeTrue();
                }
            }, Ct);
            consumed += batch.Count;
        }, "the records were not consumed");

        correlatedItems.Writer.Complete();
        plainItems.Writer.Complete();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        return run;
    }

    private async Task<Dictionary<string, (string? Correlation, string? Causation)>> RelayOutboxAsync(string? relayFlow)
    {
        var propagator = CorrelationPropagator.Default;
        var topic = KafkaFixture.NewTopic("outbox");
        await kafka.TryCreateTopicAsync(topic, 1);

        // 1. Handlers of 30 different inbound messages store their outgoing message in an outbox (here a list: the
        //    storage is the application's), headers written from the flow they ran in.
        var outbox = new ConcurrentQueue<Message<string, string>>();
        await Task.WhenAll(Enumerable.Range(0, OutboxRows).Select(i => Task.Run(() =>
        {
            var key = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            using var scope = CorrelationContext.BeginScope(new CorrelationContext(FlowOf(key), messageId: CauseOf(key)));
            var message = new Message<string, string> { Key = key, Value = "stored", Headers = [] };
            propagator.Inject(CorrelationContext.Current!, message.Headers, static (headers, name, value) => headers.Add(name, value.Utf8.ToArray()));
            outbox.Enqueue(message);
        })));

        // 2. The relay, later, on its own loop: with nothing ambient, the correlating producer keeps each stored ID.
        await Task.Run(async () =>
        {
            using var producer = kafka.CorrelatingProducer(propagator);
            using var relayScope = relayFlow is null ? default : CorrelationContext.BeginScope(new CorrelationContext(relayFlow));
            if (relayFlow is null)
            {
                CorrelationContext.Current.ShouldBeNull("the relay must run with nothing ambient");
            }

            while (outbox.TryDequeue(out var message))
            {
                await producer.ProduceAsync(topic, message, Ct);
            }
        }, Ct);

        // 3. What arrived, read by a raw consumer: the headers on the wire.
        using var consumer = kafka.AssignedConsumer(topic);
        var arrived = new Dictionary<string, (string?, string?)>();
        KafkaFixture.Until(() => arrived.Count == OutboxRows, () =>
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } record)
            {
                arrived[record.Message.Key] = (Last(record.Message.Headers, "X-Correlation-ID"), Last(record.Message.Headers, "X-Causation-ID"));
            }
        }, "the relayed messages did not arrive");
        return arrived;
    }

    private static string? Last(Headers headers, string name) =>
        headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;

    private sealed class PoolRun
    {
        public CapturingLoggerProvider Logs { get; } = new();

        public ConcurrentDictionary<string, (string CorrelationId, string? CausationId)> Seen { get; } = new();

        public ConcurrentDictionary<string, string?> ConsumedMessageIds { get; } = new();
    }
}
