using System.Diagnostics;
using System.Globalization;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs;
using static Correlation.Messaging.Throughput.HarnessArgs;

namespace Correlation.Messaging.Throughput.Sqs;

/// <summary>
/// Batched send throughput (SendMessageBatch, 10 entries) of the AWS SDK's <see cref="AmazonSQSClient"/> without the
/// correlation pipeline handler against the same client type with it, in interleaved rounds (without, by-hand
/// attributes, with; rotating order), printing per-round rates, the median ratios with their spread, and the client
/// process's CPU time per message.
/// </summary>
/// <remarks>
/// <para>Options: <c>--messages N</c> per round (default 5,000), <c>--rounds R</c> (default 7), <c>--parallel P</c>
/// concurrent batches (default 8), <c>--url</c> (default <c>SQS_SERVICE_URL</c>). Messages are sent inside a
/// consume-like scope, so the handler writes both attributes; each entry also carries two user attributes.</para>
/// <para>"without" is a client created before <see cref="SqsCorrelation.Register"/>, so its pipeline has no handler at
/// all; "by-hand" is that client with the same two attributes written by the caller (the wire cost alone); "with" is a
/// client bound with <see cref="AmazonSqsCorrelationExtensions.UseCorrelation{TClient}"/>. CPU is this process's
/// (the emulator runs in its own), so CPU per message is the client side's cost. Failed entries are counted
/// (<see cref="HarnessArgs.CountFailed"/>), which makes the run exit with 1.</para>
/// </remarks>
internal static class SqsThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var messages = Option(args, "--messages", 5_000);
        var rounds = Option(args, "--rounds", 7);
        var parallel = Option(args, "--parallel", 8);
        var url = OptionText(args, "--url") ?? Environment.GetEnvironmentVariable("SQS_SERVICE_URL");
        if (string.IsNullOrEmpty(url))
        {
            Console.Error.WriteLine("SQS_SERVICE_URL is not set: eng/brokers.sh up sqs && eval \"$(eng/brokers.sh env)\"");
            return 2;
        }

        var credentials = new BasicAWSCredentials("bench", "bench");
        using var without = new AmazonSQSClient(credentials, new AmazonSQSConfig { ServiceURL = url, AuthenticationRegion = "us-east-1" });
        SqsCorrelation.Register();
        using var with = new AmazonSQSClient(credentials, new AmazonSQSConfig { ServiceURL = url, AuthenticationRegion = "us-east-1" })
            .UseCorrelation(new CorrelationPropagator(new CorrelationOptions()));
        var payload = new string('x', 256);
        var context = new CorrelationContext(Guid.NewGuid().ToString(), causationId: null, messageId: Guid.NewGuid().ToString());
        var failed = 0;

        Console.WriteLine($"SQS batched send throughput (AWS SDK {typeof(AmazonSQSClient).Assembly.GetName().Version}): {messages:N0} messages of {payload.Length} B per round, batches of 10, {parallel} in flight, {rounds} interleaved rounds");
        Console.WriteLine($"endpoint {url}; {Environment.ProcessorCount} cores; .NET {Environment.Version}");
        using (CorrelationContext.BeginScope(context))
        {
            // Warm-up of both paths (JIT, connections), not measured.
            failed += (await RoundAsync(without, without, payload, Math.Min(messages, 1_000), parallel, extra: null)).Failed;
            failed += (await RoundAsync(with, without, payload, Math.Min(messages, 1_000), parallel, extra: null)).Failed;

            var byHand = new Dictionary<string, string> { ["X-Correlation-ID"] = context.CorrelationId, ["X-Causation-ID"] = context.MessageId! };
            var results = new List<Result>[] { [], [], [] };
            for (var r = 0; r < rounds; r++)
            {
                for (var k = 0; k < 3; k++)
                {
                    var variant = (r + k) % 3;
                    var result = variant switch
                    {
                        0 => await RoundAsync(without, without, payload, messages, parallel, extra: null),
                        1 => await RoundAsync(without, without, payload, messages, parallel, extra: byHand),
                        _ => await RoundAsync(with, without, payload, messages, parallel, extra: null),
                    };
                    failed += result.Failed;
                    results[variant].Add(result);
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {r + 1}: without {results[0][r].Rate,8:N0} msg/s {results[0][r].CpuMicros,6:F1} us CPU/msg | by-hand {results[1][r].Rate,8:N0} msg/s {results[1][r].CpuMicros,6:F1} us | with {results[2][r].Rate,8:N0} msg/s {results[2][r].CpuMicros,6:F1} us"));
            }

            Report("with / without (handler + two more attributes on the wire)", results[2], results[0]);
            Report("with / by-hand (the handler's own cost)", results[2], results[1]);
            Console.WriteLine($"RESULT throughput ratio with / by-hand: {Spread(results[2].Zip(results[1], (n, d) => n.Rate / d.Rate).ToList())}");
        }

        CountFailed(failed);
        return 0;
    }

    private static void Report(string label, List<Result> numerator, List<Result> denominator)
    {
        var throughput = numerator.Zip(denominator, (n, d) => n.Rate / d.Rate).ToList();
        var cpu = numerator.Zip(denominator, (n, d) => n.CpuMicros / d.CpuMicros).ToList();
        Console.WriteLine($"{label}: throughput ratio {Spread(throughput)} (goal >= 0.98); CPU/message ratio {Spread(cpu)} (goal <= 1.05)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  medians: {Median(numerator.Select(x => x.Rate).ToList()):N0} vs {Median(denominator.Select(x => x.Rate).ToList()):N0} msg/s, {Median(numerator.Select(x => x.CpuMicros).ToList()):F1} vs {Median(denominator.Select(x => x.CpuMicros).ToList()):F1} us CPU/msg"));
    }

    private static async Task<Result> RoundAsync(AmazonSQSClient client, AmazonSQSClient admin, string payload, int messages, int parallel, Dictionary<string, string>? extra)
    {
        // A fresh queue per round: the emulator slows down as a queue grows, which would favour whichever ran first.
        var queue = (await admin.CreateQueueAsync("throughput-" + Guid.NewGuid().ToString("N"))).QueueUrl;
        var batches = messages / 10;
        var failed = 0;
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, batches), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (b, ct) =>
        {
            var request = new SendMessageBatchRequest { QueueUrl = queue, Entries = new List<SendMessageBatchRequestEntry>(10) };
            for (var i = 0; i < 10; i++)
            {
                var entry = new SendMessageBatchRequestEntry
                {
                    Id = "e" + i.ToString(CultureInfo.InvariantCulture),
                    MessageBody = payload,
                    MessageAttributes = new()
                    {
                        ["tenant"] = new MessageAttributeValue { DataType = "String", StringValue = "t-1" },
                        ["type"] = new MessageAttributeValue { DataType = "String", StringValue = "OrderPlaced" },
                    },
                };
                foreach (var (name, value) in extra ?? [])
                {
                    entry.MessageAttributes[name] = new MessageAttributeValue { DataType = "String", StringValue = value };
                }

                request.Entries.Add(entry);
            }

            var response = await client.SendMessageBatchAsync(request, ct);
            if (response.Failed is { Count: > 0 } entriesFailed)
            {
                Interlocked.Add(ref failed, entriesFailed.Count);
            }
        });
        var elapsed = stopwatch.Elapsed;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        await admin.SetQueueAttributesAsync(queue, new Dictionary<string, string> { ["MessageRetentionPeriod"] = "60" });
        return new Result(batches * 10 / elapsed.TotalSeconds, cpu.TotalMicroseconds / (batches * 10), failed);
    }

    private sealed record Result(double Rate, double CpuMicros, int Failed);
}
