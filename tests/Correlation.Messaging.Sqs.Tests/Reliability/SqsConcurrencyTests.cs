using System.Collections.Concurrent;
using System.Globalization;
using Correlation.Messaging.Propagation;
using Amazon.SQS;
using Amazon.SQS.Model;
using Correlation.Messaging.Sqs.Propagation;
using Correlation.Messaging.Sqs.Tests.Integration;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Sqs.Tests.Reliability;

/// <summary>
/// 10,000 messages with distinct IDs, consumed by two competing <see cref="SqsMessageProcessor"/>s at once, each taking
/// the most messages one receive allows (10) and running 50 handlers at a time. The handlers check their own IDs.
/// </summary>
[Collection(SqsCollection.Name)]
public sealed class SqsConcurrencyTests(SqsFixture fixture)
{
    private const int Count = 10_000;
    private const int Processors = 2;
    private const int HandlersPerProcessor = 50;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Process_TenThousandDistinctIdsAtFullParallelism_NoCrossTalkAndNoLeakedContext()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var queue = await fixture.CreateQueueAsync("conc");
        var downstream = await fixture.CreateQueueAsync("conc-down");
        await SendAsync(queue, run);

        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        var propagator = new CorrelationPropagator(new CorrelationOptions(), factory);
        var client = fixture.CreateClient(propagator);
        var logger = factory.CreateLogger("conc-handler");
        var seen = new ConcurrentDictionary<int, (string CorrelationId, string MessageId)>();
        var problems = new ConcurrentQueue<string>();
        var inFlight = 0;
        var maxInFlight = 0;

        async Task HandleAsync(Message message, CancellationToken ct)
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            try
            {
                var expected = Expected.Parse(message.Body!);
                var context = CorrelationContext.Current;
                Check(expected, message, context, "on entry");
                await Task.Yield();
                await Task.Delay(20 + expected.Index % 10, ct);
                if (!ReferenceEquals(CorrelationContext.Current, context))
                {
                    problems.Enqueue($"{expected.Index}: the ambient context changed under the handler");
                }

                logger.LogInformation("conc {Index}", expected.Index);
                if (expected.Index % 10 == 0)
                {
                    await client.SendMessageAsync(new SendMessageRequest { QueueUrl = downstream, MessageBody = message.Body }, ct);
                }

                Check(expected, message, CorrelationContext.Current, "on exit");
                if (!seen.TryAdd(expected.Index, (context!.CorrelationId, message.MessageId!)))
                {
                    problems.Enqueue($"{expected.Index}: delivered twice");
                }
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }

        Task Handler(Message message, CancellationToken ct)
        {
            // Every 7th handler is synchronous and leaves a scope open on purpose: the processor must not let it leak.
            var expected = Expected.Parse(message.Body!);
            if (expected.Index % 7 == 0)
            {
                Check(expected, message, CorrelationContext.Current, "on entry (sloppy handler)");
                if (!seen.TryAdd(expected.Index, (CorrelationContext.Current!.CorrelationId, message.MessageId!)))
                {
                    problems.Enqueue($"{expected.Index}: delivered twice");
                }

#pragma warning disable CM0005 // Leaked on purpose: the processor must clear what a sloppy handler leaves behind.
                _ = CorrelationContext.BeginScope(new CorrelationContext("leaked-" + message.MessageId));
#pragma warning restore CM0005
                return Task.CompletedTask;
            }

            return HandleAsync(message, ct);
        }

        void Check(Expected expected, Message message, CorrelationContext? context, string where)
        {
            if (context is null)
            {
                problems.Enqueue($"{expected.Index} {where}: no ambient context");
            }
            else if (context.CorrelationId.StartsWith("leaked-", StringComparison.Ordinal))
            {
                problems.Enqueue($"{expected.Index} {where}: context leaked from another message: {context.CorrelationId}");
            }
            else if (context.MessageId != message.MessageId)
            {
                problems.Enqueue($"{expected.Index} {where}: message ID {context.MessageId}, expected {message.MessageId}");
            }
            else if (expected.CorrelationId is { } id ? context.CorrelationId != id || context.CausationId != expected.CausationId : context.Source != CorrelationIdSource.Generated || context.CorrelationId.StartsWith("conc-", StringComparison.Ordinal))
            {
                problems.Enqueue($"{expected.Index} {where}: correlation {context.CorrelationId} / causation {context.CausationId}, expected {expected.CorrelationId ?? "a generated one"} / {expected.CausationId}");
            }
        }

        var options = new SqsProcessorOptions { QueueUrl = queue, WaitTimeSeconds = 1, MaxNumberOfMessages = 10, MaxConcurrency = HandlersPerProcessor };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var processors = Enumerable.Range(0, Processors)
            .Select(_ => new SqsMessageProcessor(client, propagator, options, factory).RunAsync(Handler, stop.Token))
            .ToArray();
        var done = await Eventually.TrueAsync(() => seen.Count >= Count || processors.Any(p => p.IsCompleted), TimeSpan.FromSeconds(120), Ct);
        await stop.CancelAsync();
        await Task.WhenAll(processors);

        done.ShouldBeTrue();
        problems.ShouldBeEmpty();
        seen.Count.ShouldBe(Count);
        seen.Values.Select(v => v.CorrelationId).Distinct(StringComparer.Ordinal).Count().ShouldBe(Count, "every message has its own correlation ID");
        maxInFlight.ShouldBeGreaterThan(10, "more handlers at once than one receive returns");
        CorrelationContext.Current.ShouldBeNull();

        var logged = logs.Logs.Where(l => l.Category == "conc-handler").ToList();
        logged.Count.ShouldBe(Enumerable.Range(0, Count).Count(i => i % 7 != 0));
        logged.ShouldAllBe(l => l.CorrelationId == seen[IndexOf(l.Message)].CorrelationId && l.Field("message_id") == seen[IndexOf(l.Message)].MessageId);

        var sentDownstream = Enumerable.Range(0, Count).Count(i => i % 10 == 0 && i % 7 != 0);
        var outgoing = await fixture.DrainAsync(downstream, sentDownstream, TimeSpan.FromSeconds(30));
        outgoing.Count.ShouldBe(sentDownstream);
        outgoing.ShouldAllBe(m => m.MessageAttributes!["X-Correlation-ID"].StringValue == seen[Expected.Parse(m.Body!).Index].CorrelationId
            && m.MessageAttributes["X-Causation-ID"].StringValue == seen[Expected.Parse(m.Body!).Index].MessageId);
        (await fixture.CountMessagesAsync(queue)).ShouldBe(0);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{Count} messages, {Processors} processors x {HandlersPerProcessor} handlers, max {maxInFlight} in flight; {sentDownstream} sent downstream; problems {problems.Count}");
    }

    private static int IndexOf(string logMessage) => int.Parse(logMessage["conc ".Length..], CultureInfo.InvariantCulture);

    /// <summary>Sends the messages from a foreign producer in batches of 10: every 10th without any attribute (its ID is generated).</summary>
    private async Task SendAsync(string queue, string run)
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions());
        await Parallel.ForEachAsync(Enumerable.Range(0, Count / 10), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (batch, ct) =>
        {
            var request = new SendMessageBatchRequest { QueueUrl = queue, Entries = [] };
            for (var i = batch * 10; i < batch * 10 + 10; i++)
            {
                var entry = new SendMessageBatchRequestEntry { Id = "e" + (i % 10).ToString(CultureInfo.InvariantCulture), MessageAttributes = [] };
                if (i % 10 == 9)
                {
                    entry.MessageBody = Expected.BodyOf(i, null);
                }
                else
                {
                    var context = new CorrelationContext($"conc-{run}-{i:D5}", causationId: null, messageId: $"cause-{i:D5}");
                    entry.MessageBody = Expected.BodyOf(i, context.CorrelationId);
                    SqsCorrelationAttributes.Inject(propagator, context, entry.MessageAttributes, entry.MessageBody);
                }

                request.Entries.Add(entry);
            }

            ((await fixture.Raw.SendMessageBatchAsync(request, ct)).Failed ?? []).ShouldBeEmpty();
        });
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    /// <summary>What a message's body says its handler must see: <c>&lt;index&gt;|&lt;correlation ID or -&gt;</c>.</summary>
    private sealed record Expected(int Index, string? CorrelationId)
    {
        public string? CausationId => CorrelationId is null ? null : $"cause-{Index:D5}";

        public static string BodyOf(int index, string? correlationId) => $"{index:D5}|{correlationId ?? "-"}";

        public static Expected Parse(string body)
        {
            var bar = body.IndexOf('|', StringComparison.Ordinal);
            var id = body[(bar + 1)..];
            return new Expected(int.Parse(body[..bar], CultureInfo.InvariantCulture), id == "-" ? null : id);
        }
    }
}
