using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Amazon.Runtime;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs;
using Amazon.SQS;
using Amazon.SQS.Model;
using Correlation.Messaging.Sqs.Propagation;
using static Correlation.Messaging.Throughput.HarnessArgs;

namespace Correlation.Messaging.Throughput.Sqs;

/// <summary>
/// Soak: many messages, each with its own correlation ID, through SQS propagation end to end (attributes written per
/// message, <see cref="SqsMessageProcessor"/> over an AWS SDK client bound with <c>UseCorrelation</c> restoring them), with the
/// managed heap measured after a forced GC before and after, and a sample of the handlers' context objects held by
/// <see cref="WeakReference{T}"/> to prove none is retained.
/// </summary>
/// <remarks>
/// Options: <c>--messages N</c> (default 100,000), <c>--concurrency C</c> handlers (default 32), <c>--backlog B</c> most
/// messages sent but not yet handled (default 5,000; the emulator slows down as a queue grows), <c>--sample S</c> keep a
/// weak reference to every S-th context (default 100), <c>--url</c> (default <c>SQS_SERVICE_URL</c>).
/// Exit code 1 when a message is lost, handled with the wrong ID, or a sampled context survives.
/// </remarks>
internal static class SqsSoak
{
    private const int WarmUp = 2_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var messages = Option(args, "--messages", 100_000);
        var concurrency = Option(args, "--concurrency", 32);
        var backlog = Option(args, "--backlog", 5_000);
        var sampleEvery = Option(args, "--sample", 100);
        var url = OptionText(args, "--url") ?? Environment.GetEnvironmentVariable("SQS_SERVICE_URL");
        if (string.IsNullOrEmpty(url))
        {
            Console.Error.WriteLine("SQS_SERVICE_URL is not set: eng/brokers.sh up sqs && eval \"$(eng/brokers.sh env)\"");
            return 2;
        }

        var propagator = new CorrelationPropagator(new CorrelationOptions());
        Console.WriteLine($"SQS soak: {messages:N0} messages with distinct correlation IDs, {concurrency} handlers, backlog <= {backlog:N0}, weak sample 1/{sampleEvery}");
        Console.WriteLine($"endpoint {url}; {Environment.ProcessorCount} cores; .NET {Environment.Version}; server GC {System.Runtime.GCSettings.IsServerGC}");

        var warm = await PassAsync(new Uri(url), propagator, "soak-warm", WarmUp, concurrency, backlog, sampleEvery);
        Console.WriteLine($"warm-up: {warm.Handled:N0} handled, {warm.Rate:N0} msg/s");
        var before = ForcedGcHeap();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        var pass = await PassAsync(new Uri(url), propagator, "soak", messages, concurrency, backlog, sampleEvery);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var after = ForcedGcHeap();
        var alive = pass.Sample.Count(w => w.TryGetTarget(out _));
        var lost = messages - pass.Handled;

        Console.WriteLine($"sent {messages:N0}, handled {pass.Handled:N0} distinct, lost {lost:N0}, redelivered {pass.Redelivered:N0}, wrong ID {pass.Mismatches:N0}");
        Console.WriteLine($"throughput end to end (send + receive + handle + delete, overlapped): {pass.Rate:N0} msg/s over {pass.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine($"managed heap after forced GC (clients disposed): before {Mb(before)}, after {Mb(after)}, delta {Delta(after - before)}; allocated during the run {Mb(allocated)} ({allocated / Math.Max(1, messages):N0} B/message, client and processor included)");
        Console.WriteLine($"context objects sampled {pass.Sample.Count:N0}, still alive after GC {alive:N0}; thread pool threads {ThreadPool.ThreadCount}");
        var ok = lost == 0 && pass.Mismatches == 0 && alive == 0;
        Console.WriteLine(ok ? "soak: OK" : "soak: FAILED");
        return ok ? 0 : 1;
    }

    /// <summary>One pass with its own HTTP and SQS clients, disposed before it returns, so that the heap measured afterwards holds none of them.</summary>
    private static async Task<Pass> PassAsync(Uri url, CorrelationPropagator propagator, string prefix, int messages, int concurrency, int backlog, int sampleEvery)
    {
        SqsCorrelation.Register();
        var config = new AmazonSQSConfig { ServiceURL = url.ToString(), AuthenticationRegion = "us-east-1" };
        using var raw = new AmazonSQSClient(new BasicAWSCredentials("soak", "soak"), config);
        using var client = new AmazonSQSClient(new BasicAWSCredentials("soak", "soak"), new AmazonSQSConfig { ServiceURL = url.ToString(), AuthenticationRegion = "us-east-1" }).UseCorrelation(propagator);
        var queue = (await raw.CreateQueueAsync(new CreateQueueRequest { QueueName = $"{prefix}-{Guid.NewGuid():N}", Attributes = new() { ["VisibilityTimeout"] = "120" } })).QueueUrl;
        var run = Guid.NewGuid().ToString("N")[..8];
        var handled = new ConcurrentDictionary<int, byte>();
        var sample = new ConcurrentBag<WeakReference<CorrelationContext>>();
        var mismatches = 0;
        var redelivered = 0;
        var sent = 0;

        var processor = new SqsMessageProcessor(client, propagator, new SqsProcessorOptions { QueueUrl = queue, WaitTimeSeconds = 1, MaxConcurrency = concurrency });
        using var stop = new CancellationTokenSource();
        var stopwatch = Stopwatch.StartNew();
        var consume = processor.RunAsync(
            (message, _) =>
            {
                var body = message.Body!;
                var index = int.Parse(body.AsSpan(body.LastIndexOf('-') + 1), CultureInfo.InvariantCulture);
                var context = CorrelationContext.Current;
                if (context is null || context.CorrelationId != body || context.CausationId != "cause-" + body || context.MessageId != message.MessageId)
                {
                    Interlocked.Increment(ref mismatches);
                }

                if (!handled.TryAdd(index, 0))
                {
                    Interlocked.Increment(ref redelivered);
                }

                if (index % sampleEvery == 0 && context is not null)
                {
                    sample.Add(new WeakReference<CorrelationContext>(context));
                }

                return Task.CompletedTask;
            },
            stop.Token);

        // Producer: batches of 10, each message with its own context written by the propagation layer.
        var producers = Enumerable.Range(0, 4).Select(async worker =>
        {
            while (true)
            {
                var first = Interlocked.Add(ref sent, 10) - 10;
                if (first >= messages)
                {
                    return;
                }

                while (first - handled.Count > backlog)
                {
                    await Task.Delay(5);
                }

                var request = new SendMessageBatchRequest { QueueUrl = queue, Entries = [] };
                for (var i = first; i < Math.Min(first + 10, messages); i++)
                {
                    var id = $"{prefix}-{run}-{i}";
                    var entry = new SendMessageBatchRequestEntry { Id = "e" + (i - first).ToString(CultureInfo.InvariantCulture), MessageBody = id, MessageAttributes = [] };
                    SqsCorrelationAttributes.Inject(propagator, new CorrelationContext(id, causationId: null, messageId: "cause-" + id), entry.MessageAttributes, entry.MessageBody);
                    request.Entries.Add(entry);
                }

                var response = await raw.SendMessageBatchAsync(request);
                if (response.Failed is { Count: > 0 })
                {
                    throw new InvalidOperationException($"{response.Failed.Count} entries failed: {response.Failed[0].Code}");
                }
            }
        }).ToArray();
        await Task.WhenAll(producers);

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (handled.Count < messages && DateTime.UtcNow < deadline && !consume.IsCompleted)
        {
            await Task.Delay(20);
        }

        var elapsed = stopwatch.Elapsed;
        await stop.CancelAsync();
        await consume;
        await raw.SetQueueAttributesAsync(queue, new Dictionary<string, string> { ["MessageRetentionPeriod"] = "60" });
        return new Pass(handled.Count, redelivered, mismatches, [.. sample], elapsed, handled.Count / elapsed.TotalSeconds);
    }

    private static long ForcedGcHeap()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.00", CultureInfo.InvariantCulture) + " MiB";

    private static string Delta(long bytes) => (bytes / 1024.0 / 1024.0).ToString("+0.00;-0.00", CultureInfo.InvariantCulture) + " MiB";

    private sealed record Pass(int Handled, int Redelivered, int Mismatches, List<WeakReference<CorrelationContext>> Sample, TimeSpan Elapsed, double Rate);
}
