using System.Collections.Concurrent;
using Correlation.Messaging.Propagation;
using Amazon.SQS;
using Amazon.SQS.Model;
using Correlation.Messaging.Sqs.Propagation;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Sqs.Tests.Integration;

[Collection(SqsCollection.Name)]
public sealed class SqsFlowTests(SqsFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Process_MessageSentInScope_HandlerSeesIdsAndLogScopeAndMessageIsDeleted()
    {
        var queue = await fixture.CreateQueueAsync("flow");
        string sentId;
        using (CorrelationContext.BeginScope(new CorrelationContext("flow-corr-1")))
        {
            sentId = (await fixture.Client.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = "hello" }, Ct)).MessageId!;
        }

        CorrelationContext? seen = null;
        var logger = fixture.LoggerFactory.CreateLogger("flow-test");
        var done = await fixture.RunProcessorUntilAsync(queue, (message, _) =>
        {
            logger.LogInformation("handling {Body}", message.Body);
            seen = CorrelationContext.Current;
            return Task.CompletedTask;
        }, () => seen is not null);

        done.ShouldBeTrue();
        seen!.CorrelationId.ShouldBe("flow-corr-1");
        seen.MessageId.ShouldBe(sentId);
        seen.Source.ShouldBe(CorrelationIdSource.Inbound);
        fixture.Logs.Logs.Single(l => l.Category == "flow-test").CorrelationId.ShouldBe("flow-corr-1");
        (await fixture.CountMessagesAsync(queue)).ShouldBe(0);
    }

    [Fact]
    public async Task Process_HandlerSendsDownstream_SameCorrelationAndCausationIsConsumedMessageId()
    {
        var upstream = await fixture.CreateQueueAsync("up");
        var downstream = await fixture.CreateQueueAsync("down");
        using (CorrelationContext.BeginScope(new CorrelationContext("chain-1")))
        {
            await fixture.Client.SendMessageAsync(new SendMessageRequest { QueueUrl = upstream, MessageBody = "first" }, Ct);
        }

        string? consumedId = null;
        var done = await fixture.RunProcessorUntilAsync(upstream, async (message, ct) =>
        {
            await fixture.Client.SendMessageAsync(new SendMessageRequest { QueueUrl = downstream, MessageBody = "second" }, ct);
            consumedId = message.MessageId;
        }, () => consumedId is not null);
        done.ShouldBeTrue();

        var received = (await fixture.DrainAsync(downstream, 1)).ShouldHaveSingleItem();
        received.MessageAttributes!["X-Correlation-ID"].StringValue.ShouldBe("chain-1");
        received.MessageAttributes["X-Causation-ID"].StringValue.ShouldBe(consumedId);
        var extracted = received.ExtractCorrelation(fixture.Propagator);
        extracted.CorrelationId.ShouldBe("chain-1");
        extracted.CausationId.ShouldBe(consumedId);
    }

    [Fact]
    public async Task SendMessageBatch_TenEntries_EveryMessageCarriesTheAttributes()
    {
        var queue = await fixture.CreateQueueAsync("batch");
        var request = new SendMessageBatchRequest
        {
            QueueUrl = queue,
            Entries = [.. Enumerable.Range(0, 10).Select(i => new SendMessageBatchRequestEntry { Id = "e" + i, MessageBody = "m" + i })],
        };

        SendMessageBatchResponse response;
        using (CorrelationContext.BeginScope(new CorrelationContext("batch-1", messageId: "cause-1")))
        {
            response = await fixture.Client.SendMessageBatchAsync(request, Ct);
        }

        (response.Failed ?? []).ShouldBeEmpty();
        response.Successful.Count.ShouldBe(10);
        var received = await fixture.DrainAsync(queue, 10);
        received.Count.ShouldBe(10);
        received.ShouldAllBe(m => m.MessageAttributes!["X-Correlation-ID"].StringValue == "batch-1" && m.MessageAttributes["X-Causation-ID"].StringValue == "cause-1");
    }

    [Theory]
    [InlineData(0, SqsAttributeWriteOutcome.Attributes)]
    [InlineData(7, SqsAttributeWriteOutcome.Attributes)]
    [InlineData(8, SqsAttributeWriteOutcome.Packed)]
    [InlineData(9, SqsAttributeWriteOutcome.Packed)]
    [InlineData(10, SqsAttributeWriteOutcome.Skipped)]
    public async Task SendMessage_UserAttributeCount_BudgetBranchRoundTrips(int userCount, SqsAttributeWriteOutcome expected)
    {
        var queue = await fixture.CreateQueueAsync("budget");
        var attributes = Enumerable.Range(0, userCount).ToDictionary(i => "user" + i, i => Attr.String("v" + i));
        var request = new SendMessageRequest { QueueUrl = queue, MessageBody = "budget", MessageAttributes = attributes };
        var context = new CorrelationContext("budget-" + userCount, messageId: "cause-" + userCount);

        using (fixture.Propagator.BeginScope(context))
        {
            SqsCorrelationAttributes.Inject(fixture.Propagator, context, request.MessageAttributes, request.MessageBody).ShouldBe(expected);
        }

        await fixture.Raw.SendMessageAsync(request, Ct);

        var received = (await fixture.DrainAsync(queue, 1)).ShouldHaveSingleItem();
        received.MessageAttributes!.Count.ShouldBe(Math.Min(10, userCount + (expected == SqsAttributeWriteOutcome.Attributes ? 3 : 1)), "correlation, causation and flow as separate attributes; else one packed");
        Enumerable.Range(0, userCount).ShouldAllBe(i => received.MessageAttributes["user" + i].StringValue == "v" + i);
        var extracted = received.ExtractCorrelation(fixture.Propagator);
        if (expected == SqsAttributeWriteOutcome.Skipped)
        {
            extracted.Source.ShouldBe(CorrelationIdSource.Generated);
            fixture.Logs.WithEventName("CorrelationAttributesSkipped").ShouldContain(l => l.CorrelationId == "budget-" + userCount);
        }
        else
        {
            extracted.CorrelationId.ShouldBe("budget-" + userCount);
            extracted.CausationId.ShouldBe("cause-" + userCount);
        }
    }

    [Fact]
    public async Task SendMessage_CorrelatingClientWithTenUserAttributes_StillSends()
    {
        var queue = await fixture.CreateQueueAsync("full");
        var attributes = Enumerable.Range(0, 10).ToDictionary(i => "user" + i, i => Attr.String("v" + i));

        var response = await fixture.Client.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = "full", MessageAttributes = attributes }, Ct);

        response.MessageId.ShouldNotBeNullOrEmpty();
        (await fixture.DrainAsync(queue, 1)).ShouldHaveSingleItem().MessageAttributes!.Count.ShouldBe(10);
    }

    [Fact]
    public async Task Process_VisibilityTimeoutExpires_RedeliveryRestoresSameIds()
    {
        var queue = await fixture.CreateQueueAsync("redeliver", new() { ["VisibilityTimeout"] = "1" });
        using (CorrelationContext.BeginScope(new CorrelationContext("redeliver-1")))
        {
            await fixture.Client.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = "again" }, Ct);
        }

        var attempts = new ConcurrentQueue<(string CorrelationId, string? MessageId, string? ReceiveCount)>();
        var done = await fixture.RunProcessorUntilAsync(queue, (message, _) =>
        {
            attempts.Enqueue((CorrelationContext.Current!.CorrelationId, CorrelationContext.Current.MessageId, message.Attributes?.GetValueOrDefault("ApproximateReceiveCount")));
            return attempts.Count == 1 ? throw new InvalidOperationException("first attempt fails") : Task.CompletedTask;
        }, () => attempts.Count >= 2);

        done.ShouldBeTrue();
        var list = attempts.ToList();
        list[0].CorrelationId.ShouldBe("redeliver-1");
        list[1].CorrelationId.ShouldBe("redeliver-1");
        list[1].MessageId.ShouldBe(list[0].MessageId);
        list[1].ReceiveCount.ShouldBe("2");
        fixture.Logs.WithEventName("MessageHandlingFailed").ShouldContain(l => l.CorrelationId == "redeliver-1");
    }

    [Fact]
    public async Task Process_FailureVisibilityTimeoutZero_RedeliversBeforeQueueTimeout()
    {
        var queue = await fixture.CreateQueueAsync("retrynow", new() { ["VisibilityTimeout"] = "300" });
        using (CorrelationContext.BeginScope(new CorrelationContext("retry-now-1")))
        {
            await fixture.Client.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = "x" }, Ct);
        }

        var attempts = new ConcurrentQueue<string>();
        var done = await fixture.RunProcessorUntilAsync(queue, (_, _) =>
        {
            attempts.Enqueue(CorrelationContext.Current!.CorrelationId);
            return attempts.Count == 1 ? throw new InvalidOperationException("once") : Task.CompletedTask;
        }, () => attempts.Count >= 2, failureVisibilityTimeout: 0);

        done.ShouldBeTrue();
        attempts.ShouldAllBe(id => id == "retry-now-1");
        (await fixture.CountMessagesAsync(queue)).ShouldBe(0);
    }

    [Fact]
    public async Task Process_HandlerKeepsFailing_RedriveToDeadLetterQueueKeepsAttributes()
    {
        var dlq = await fixture.CreateQueueAsync("dlq");
        var redrive = $$"""{"maxReceiveCount":"1","deadLetterTargetArn":"{{await fixture.GetQueueArnAsync(dlq)}}"}""";
        var queue = await fixture.CreateQueueAsync("main", new() { ["VisibilityTimeout"] = "1", ["RedrivePolicy"] = redrive });
        string sentId;
        using (CorrelationContext.BeginScope(new CorrelationContext("dead-1", messageId: "cause-dead")))
        {
            sentId = (await fixture.Client.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = "poison" }, Ct)).MessageId!;
        }

        var failures = 0;
        var done = await fixture.RunProcessorUntilAsync(queue, (_, _) =>
        {
            Interlocked.Increment(ref failures);
            throw new InvalidOperationException("always fails");
        }, () => Volatile.Read(ref failures) >= 1);
        done.ShouldBeTrue();

        var dead = (await fixture.DrainAsync(dlq, 1, TimeSpan.FromSeconds(10))).ShouldHaveSingleItem();
        dead.MessageAttributes!["X-Correlation-ID"].StringValue.ShouldBe("dead-1");
        dead.MessageAttributes["X-Causation-ID"].StringValue.ShouldBe("cause-dead");
        dead.MessageId.ShouldBe(sentId);
        dead.ExtractCorrelation(fixture.Propagator).CorrelationId.ShouldBe("dead-1");
    }

    [Fact]
    public async Task Process_RejectPolicyAndInvalidId_MessageIsNotHandledAndReachesDeadLetterQueue()
    {
        // maxReceiveCount 2, not 1: the emulator also moves a message to the DLQ when it was deleted on its
        // maxReceiveCount-th receive (its visibility timer is not cancelled by DeleteMessage), which real SQS does not do.
        var dlq = await fixture.CreateQueueAsync("rejdlq");
        var redrive = $$"""{"maxReceiveCount":"2","deadLetterTargetArn":"{{await fixture.GetQueueArnAsync(dlq)}}"}""";
        var queue = await fixture.CreateQueueAsync("rej", new() { ["VisibilityTimeout"] = "1", ["RedrivePolicy"] = redrive });
        var rejecting = new CorrelationPropagator(new CorrelationOptions { InvalidIdPolicy = InvalidCorrelationIdPolicy.Reject }, fixture.LoggerFactory);
        var badId = (await fixture.Raw.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = queue,
            MessageBody = "bad",
            MessageAttributes = new() { ["X-Correlation-ID"] = Attr.String("bad\r\nid") },
        }, Ct)).MessageId;
        await fixture.Raw.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = queue,
            MessageBody = "good",
            MessageAttributes = new() { ["X-Correlation-ID"] = Attr.String("good-1") },
        }, Ct);

        var handled = new ConcurrentBag<string>();
        var done = await fixture.RunProcessorUntilAsync(queue, (m, _) =>
        {
            handled.Add(m.Body!);
            return Task.CompletedTask;
        }, () => handled.Contains("good") && fixture.Logs.WithEventName("MessageHandlingFailed").Count(l => l.Exception is CorrelationIdRejectedException && l.Message.Contains(badId)) >= 2, propagator: rejecting);

        done.ShouldBeTrue();
        handled.ShouldNotContain("bad");
        var deadLetters = await fixture.DrainAsync(dlq, 1, TimeSpan.FromSeconds(10));
        deadLetters.Select(m => m.Body).ShouldBe(["bad"]);
        var dead = deadLetters[0];
        dead.MessageAttributes!["X-Correlation-ID"].StringValue.ShouldBe("bad\r\nid");
    }

    [Fact]
    public async Task SendMessage_FifoQueue_GroupPassesThroughAndContentDeduplicationIgnoresOurAttributes()
    {
        var queue = await fixture.CreateQueueAsync("fifo", new() { ["ContentBasedDeduplication"] = "true" }, fifo: true);
        var sequence = new List<string?>();
        foreach (var id in new[] { "fifo-a", "fifo-b" })
        {
            using (CorrelationContext.BeginScope(new CorrelationContext(id)))
            {
                var response = await fixture.Client.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = "same body", MessageGroupId = "g1" }, Ct);
                sequence.Add(response.SequenceNumber);
            }
        }

        using (CorrelationContext.BeginScope(new CorrelationContext("fifo-c")))
        {
            for (var i = 0; i < 3; i++)
            {
                await fixture.Client.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = "ordered " + i, MessageGroupId = "g1", MessageDeduplicationId = "d" + i }, Ct);
            }
        }

        var received = await fixture.DrainAsync(queue, 4, TimeSpan.FromSeconds(5));

        sequence.ShouldAllBe(s => !string.IsNullOrEmpty(s));
        received.Select(m => m.Body).ShouldBe(["same body", "ordered 0", "ordered 1", "ordered 2"]);
        received[0].MessageAttributes!["X-Correlation-ID"].StringValue.ShouldBe("fifo-a");
        received.ShouldAllBe(m => m.Attributes!["MessageGroupId"] == "g1");
        received.Skip(1).ShouldAllBe(m => m.MessageAttributes!["X-Correlation-ID"].StringValue == "fifo-c");
    }

    [Fact]
    public async Task Process_TwoThousandMessagesWithParallelism16_NoCrossTalk()
    {
        const int Count = 2_000;
        var queue = await fixture.CreateQueueAsync("load");
        await Parallel.ForEachAsync(Enumerable.Range(0, Count / 10), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (batch, ct) =>
        {
            var request = new SendMessageBatchRequest { QueueUrl = queue, Entries = [] };
            for (var i = 0; i < 10; i++)
            {
                var id = $"load-{batch * 10 + i:D5}";
                var entry = new SendMessageBatchRequestEntry { Id = "e" + i, MessageBody = id, MessageAttributes = [] };
                SqsCorrelationAttributes.Inject(fixture.Propagator, new CorrelationContext(id), entry.MessageAttributes, entry.MessageBody);
                request.Entries.Add(entry);
            }

            ((await fixture.Raw.SendMessageBatchAsync(request, ct)).Failed ?? []).ShouldBeEmpty();
        });

        var seen = new ConcurrentDictionary<string, int>();
        var mismatches = new ConcurrentQueue<string>();
        var inFlight = 0;
        var maxInFlight = 0;
        var logger = fixture.LoggerFactory.CreateLogger("load-test");
        var done = await fixture.RunProcessorUntilAsync(queue, async (message, _) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            if (CorrelationContext.Current?.CorrelationId != message.Body)
            {
                mismatches.Enqueue(message.Body!);
            }

            await Task.Delay(2);
            logger.LogInformation("load {Body}", message.Body);
            if (CorrelationContext.Current?.CorrelationId != message.Body || CorrelationContext.Current?.MessageId != message.MessageId)
            {
                mismatches.Enqueue(message.Body!);
            }

            seen.AddOrUpdate(message.Body!, 1, (_, n) => n + 1);
            Interlocked.Decrement(ref inFlight);
        }, () => seen.Count >= Count, maxConcurrency: 16);

        done.ShouldBeTrue($"processed {seen.Count} of {Count}");
        mismatches.ShouldBeEmpty();
        seen.Count.ShouldBe(Count);
        maxInFlight.ShouldBeGreaterThan(1);
        var logs = fixture.Logs.Logs.Where(l => l.Category == "load-test").ToList();
        logs.Count.ShouldBeGreaterThanOrEqualTo(Count);
        logs.ShouldAllBe(l => l.Message == "load " + l.CorrelationId);
    }

    [Fact]
    public async Task RunAsync_QueueNameNotCreatedYet_WaitsWithWarningThenHandlesItsMessages()
    {
        // A service deployed before its queue (or an emulator started empty): the loop must wait, not fault the host.
        var name = "late-" + Guid.NewGuid().ToString("N");
        CorrelationContext? seen = null;
        var processor = new SqsMessageProcessor(fixture.Client, fixture.Propagator, new SqsProcessorOptions { QueueUrl = name, WaitTimeSeconds = 1 }, fixture.LoggerFactory);
        using var stop = new CancellationTokenSource();
        var run = processor.RunAsync((_, _) =>
        {
            seen = CorrelationContext.Current;
            return Task.CompletedTask;
        }, stop.Token);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!fixture.Logs.WithEventName("QueueNotFound").Any(l => l.Message.Contains(name)) && DateTime.UtcNow < deadline)
        {
            run.IsCompleted.ShouldBeFalse(run.Exception?.ToString());
            await Task.Delay(50, Ct);
        }

        fixture.Logs.WithEventName("QueueNotFound").ShouldContain(l => l.Message.Contains(name) && l.Level == LogLevel.Warning);
        var queue = await fixture.Raw.CreateQueueAsync(name, Ct);
        using (CorrelationContext.BeginScope(new CorrelationContext("late-queue-corr")))
        {
            await fixture.Client.SendMessageAsync(new SendMessageRequest { QueueUrl = queue.QueueUrl, MessageBody = "first" }, Ct);
        }

        deadline = DateTime.UtcNow.AddSeconds(30);
        while (seen is null && DateTime.UtcNow < deadline)
        {
            run.IsCompleted.ShouldBeFalse(run.Exception?.ToString());
            await Task.Delay(50, Ct);
        }

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        seen.ShouldNotBeNull("the processor never handled the message sent after its queue was created");
        seen.CorrelationId.ShouldBe("late-queue-corr");
    }

    [Fact]
    public async Task Process_MessageSentWithDelaySeconds_HandlerSeesTheSenderIdsAfterTheDelay()
    {
        // A delayed send is deferred work the broker keeps: the attributes travel with the stored message.
        var queue = await fixture.CreateQueueAsync("delay");
        string sentId;
        var sentAt = DateTime.UtcNow;
        using (CorrelationContext.BeginScope(new CorrelationContext("delayed-corr", messageId: "delay-cause")))
        {
            sentId = (await fixture.Client.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = "later", DelaySeconds = 2 }, Ct)).MessageId!;
        }

        CorrelationContext? seen = null;
        var seenAt = DateTime.MinValue;
        var done = await fixture.RunProcessorUntilAsync(queue, (_, _) =>
        {
            seen = CorrelationContext.Current;
            seenAt = DateTime.UtcNow;
            return Task.CompletedTask;
        }, () => seen is not null);

        done.ShouldBeTrue();
        (seenAt - sentAt).ShouldBeGreaterThan(TimeSpan.FromSeconds(1.5), "the emulator did not delay the message: the test would prove nothing");
        seen!.CorrelationId.ShouldBe("delayed-corr");
        seen.CausationId.ShouldBe("delay-cause");
        seen.MessageId.ShouldBe(sentId);
    }

    [Fact]
    public async Task RunAsync_CancelledWhileHandlerRuns_HandlerFinishesAndMessageIsDeleted()
    {
        var queue = await fixture.CreateQueueAsync("cancel");
        await fixture.Client.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = "slow" }, Ct);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = false;
        var processor = new SqsMessageProcessor(fixture.Client, fixture.Propagator, new SqsProcessorOptions { QueueUrl = queue, WaitTimeSeconds = 1 }, fixture.LoggerFactory);
        using var stop = new CancellationTokenSource();

        var run = processor.RunAsync(async (_, _) =>
        {
            started.SetResult();
            await release.Task;
            finished = true;
        }, stop.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await stop.CancelAsync();
        run.IsCompleted.ShouldBeFalse();
        release.SetResult();
        await run.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        finished.ShouldBeTrue();
        (await fixture.CountMessagesAsync(queue)).ShouldBe(0);
        fixture.Logs.WithEventName("ProcessorStopped").ShouldContain(l => l.Message.Contains(queue));
    }

    [Fact]
    public async Task ReceiveMessage_CallerAsksForOtherAttributeOnly_StillReceivesCorrelationAttributes()
    {
        var queue = await fixture.CreateQueueAsync("subset");
        using (CorrelationContext.BeginScope(new CorrelationContext("subset-1")))
        {
            await fixture.Client.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = "x", MessageAttributes = new() { ["mine"] = Attr.String("m"), ["other"] = Attr.String("o") } }, Ct);
        }

        var request = new ReceiveMessageRequest { QueueUrl = queue, WaitTimeSeconds = 1, MessageAttributeNames = ["mine"] };
        var message = (await fixture.Client.ReceiveMessageAsync(request, Ct)).Messages.ShouldHaveSingleItem();

        request.MessageAttributeNames.ShouldBe(["mine"]);
        message.MessageAttributes!.Keys.OrderBy(k => k, StringComparer.Ordinal).ShouldBe(["X-Correlation-Flow", "X-Correlation-ID", "mine"]);
        using (message.BeginCorrelationScope(fixture.Propagator))
        {
            CorrelationContext.Current!.CorrelationId.ShouldBe("subset-1");
        }

        CorrelationContext.Current.ShouldBeNull();
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
