using Correlation.Messaging.TestSupport;
using System.Collections.Concurrent;
using Amazon.SQS;
using Amazon.SQS.Model;
using Correlation.Messaging.Sqs.Tests.Integration;

namespace Correlation.Messaging.Sqs.Tests.Reliability;

/// <summary>
/// Issue fault "SQS handler crash": a handler process dies (SIGKILL) mid-batch; the messages it had not deleted come back
/// with the same IDs, and the ones it had deleted never come back. The queue's visibility timeout is 30 s, far longer
/// than any pause of a loaded machine, so no message can come back while the doomed process still runs; after the kill
/// the test makes the undeleted ones visible at once with ChangeMessageVisibility(0), as an operator would.
/// </summary>
[Collection(SqsCollection.Name)]
public sealed class SqsHandlerCrashTests(SqsFixture fixture)
{
    private const int Messages = 20;
    private const int VisibilityTimeoutSeconds = 30;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HandlerProcessKilledMidBatch_UndeletedMessagesComeBackWithSameIdsAndDeletedOnesDoNot()
    {
        var queue = await fixture.CreateQueueAsync("crash", new() { ["VisibilityTimeout"] = VisibilityTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var run = Guid.NewGuid().ToString("N")[..8];
        var sent = new Dictionary<string, Sent>(StringComparer.Ordinal);
        for (var i = 0; i < Messages; i++)
        {
            // Even messages hang in the doomed process (received, never deleted); odd ones are handled and deleted.
            var body = $"m{i:D2}.{(i % 2 == 0 ? "hang" : "done")}";
            var context = new CorrelationContext($"crash-{run}-{i:D2}", causationId: null, messageId: $"cause-{run}-{i:D2}");
            using (CorrelationContext.BeginScope(context))
            {
                var response = await fixture.Client.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = body }, Ct);
                sent[body] = new Sent(response.MessageId!, context.CorrelationId, context.MessageId!);
            }
        }

        var hanging = sent.Keys.Where(b => b.EndsWith(".hang", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        List<Seen> doomed;
        List<string> handles;
        HashSet<string> deleted;
        using (var host = FaultHostProcess.Start("sqs-consume", "--url", fixture.ServiceUrl.ToString(), "--queue", queue, "--concurrency", Messages.ToString(System.Globalization.CultureInfo.InvariantCulture), "--batch", "10"))
        {
            await host.WaitUntilAsync(
                lines => lines.Count(l => l.StartsWith("received ", StringComparison.Ordinal)) >= Messages
                    && lines.Count(l => l.StartsWith("deleted ", StringComparison.Ordinal)) >= Messages - hanging.Count,
                TimeSpan.FromSeconds(60),
                Ct);
            host.Kill();
            host.ExitCode.ShouldBe(137, "the handler process must die by SIGKILL, not exit");
            doomed = [.. host.Lines.Where(l => l.StartsWith("received ", StringComparison.Ordinal)).Select(Seen.Parse)];
            handles = [.. host.Lines.Where(l => l.StartsWith("received ", StringComparison.Ordinal)).Select(l => l.Split(' ')[6])];
            deleted = [.. host.Lines.Where(l => l.StartsWith("deleted ", StringComparison.Ordinal)).Select(l => l["deleted ".Length..])];
        }

        // The doomed process saw every message with the IDs it was sent with.
        doomed.Select(s => s.Body).ShouldBe(sent.Keys, ignoreOrder: true);
        foreach (var seen in doomed)
        {
            seen.ShouldBe(sent[seen.Body].AsSeen(seen.Body, seen.ReceiveCount), $"doomed process: {seen.Body}");
        }

        deleted.ShouldBe(sent.Where(p => !hanging.Contains(p.Key)).Select(p => p.Value.MessageId), ignoreOrder: true);

        // Hand the undeleted messages back at once (the deleted ones' handles are no longer valid: ignore those errors).
        foreach (var handle in handles)
        {
            try
            {
                await fixture.Raw.ChangeMessageVisibilityAsync(queue, handle, 0, Ct);
            }
            catch (AmazonSQSException)
            {
            }
        }

        // The successor gets exactly the undeleted messages back, with the same IDs.
        var redelivered = new ConcurrentQueue<Seen>();
        var done = await fixture.RunProcessorUntilAsync(
            queue,
            (message, _) =>
            {
                var context = CorrelationContext.Current!;
                redelivered.Enqueue(new Seen(message.MessageId!, context.CorrelationId, context.CausationId ?? "-", message.Attributes?.GetValueOrDefault("ApproximateReceiveCount") ?? "?", message.Body!));
                context.MessageId.ShouldBe(message.MessageId);
                return Task.CompletedTask;
            },
            () => redelivered.Select(s => s.Body).Distinct().Count() >= hanging.Count,
            maxConcurrency: 10);

        done.ShouldBeTrue($"redelivered {redelivered.Count} of {hanging.Count}");
        redelivered.Select(s => s.Body).ShouldBe(hanging, ignoreOrder: true);
        foreach (var seen in redelivered)
        {
            seen.ShouldBe(sent[seen.Body].AsSeen(seen.Body, seen.ReceiveCount), $"successor: {seen.Body}");
            int.Parse(seen.ReceiveCount).ShouldBeGreaterThanOrEqualTo(2, $"{seen.Body} must be a redelivery");
        }

        (await fixture.CountMessagesAsync(queue)).ShouldBe(0, "nothing left behind: the deleted messages did not come back and the redelivered ones were deleted");
    }

    private sealed record Sent(string MessageId, string CorrelationId, string CausationId)
    {
        public Seen AsSeen(string body, string receiveCount) => new(MessageId, CorrelationId, CausationId, receiveCount, body);
    }

    /// <summary>One handler call: <c>received &lt;message ID&gt; &lt;correlation ID&gt; &lt;causation ID&gt; &lt;receive count&gt; &lt;body&gt; &lt;receipt handle&gt;</c>.</summary>
    private sealed record Seen(string MessageId, string CorrelationId, string CausationId, string ReceiveCount, string Body)
    {
        public static Seen Parse(string line)
        {
            var parts = line.Split(' ');
            parts.Length.ShouldBe(7, line);
            return new Seen(parts[1], parts[2], parts[3], parts[4], parts[5]);
        }
    }
}
