using System.Diagnostics;
using System.Globalization;
using Amazon.Runtime;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs;
using Correlation.Messaging.Sqs.Client;

namespace Correlation.Messaging.Throughput.Sqs;

/// <summary>
/// Batched send throughput (SendMessageBatch, 10 entries) of the plain SQS client against the correlating client over
/// the same client, in interleaved rounds (raw, correlating, correlating, raw, ...), printing the ratio.
/// </summary>
/// <remarks>
/// Options: <c>--messages N</c> per round (default 5,000), <c>--rounds R</c> pairs (default 6), <c>--parallel P</c>
/// concurrent batches (default 8), <c>--url</c> (default <c>SQS_SERVICE_URL</c>). Messages are sent inside a consume-like
/// scope, so the correlating client writes both attributes; each entry also carries two user attributes.
/// </remarks>
internal static class SqsThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var messages = Option(args, "--messages", 5_000);
        var rounds = Option(args, "--rounds", 6);
        var parallel = Option(args, "--parallel", 8);
        var url = OptionText(args, "--url") ?? Environment.GetEnvironmentVariable("SQS_SERVICE_URL");
        if (string.IsNullOrEmpty(url))
        {
            Console.Error.WriteLine("SQS_SERVICE_URL is not set: eng/brokers.sh up sqs && eval \"$(eng/brokers.sh env)\"");
            return 2;
        }

        using var http = new HttpClient();
        var raw = new SqsClient(new SqsClientOptions { ServiceUrl = new Uri(url), Region = "us-east-1", Credentials = new BasicAWSCredentials("bench", "bench") }, http);
        var correlating = new CorrelatingSqsClient(raw, new CorrelationPropagator(new CorrelationOptions()));
        var payload = new string('x', 256);
        var context = new CorrelationContext(Guid.NewGuid().ToString(), causationId: null, messageId: Guid.NewGuid().ToString());

        Console.WriteLine($"SQS batched send throughput: {messages:N0} messages of {payload.Length} B per round, batches of 10, {parallel} in flight, {rounds} interleaved pairs");
        Console.WriteLine($"endpoint {url}; {Environment.ProcessorCount} cores; .NET {Environment.Version}");
        using (CorrelationContext.BeginScope(context))
        {
            await RoundAsync(raw, raw, payload, Math.Min(messages, 1_000), parallel);
            await RoundAsync(correlating, raw, payload, Math.Min(messages, 1_000), parallel);

            var rawRates = new List<double>();
            var correlatingRates = new List<double>();
            for (var r = 0; r < rounds; r++)
            {
                var (first, second) = r % 2 == 0 ? ((ISqsClient)raw, (ISqsClient)correlating) : (correlating, raw);
                var a = await RoundAsync(first, raw, payload, messages, parallel);
                var b = await RoundAsync(second, raw, payload, messages, parallel);
                var (rawRate, correlatingRate) = r % 2 == 0 ? (a, b) : (b, a);
                rawRates.Add(rawRate);
                correlatingRates.Add(correlatingRate);
                Console.WriteLine($"round {r + 1}: raw {rawRate,10:N0} msg/s   correlating {correlatingRate,10:N0} msg/s   ratio {correlatingRate / rawRate:F3}");
            }

            var ratios = rawRates.Zip(correlatingRates, (x, y) => y / x).ToList();
            Console.WriteLine($"median raw {Median(rawRates):N0} msg/s, median correlating {Median(correlatingRates):N0} msg/s");
            Console.WriteLine($"ratio correlating/raw: median of rounds {Median(ratios):F3}, of medians {Median(correlatingRates) / Median(rawRates):F3} (goal >= 0.98)");
        }

        return 0;
    }

    private static async Task<double> RoundAsync(ISqsClient client, SqsClient admin, string payload, int messages, int parallel)
    {
        // A fresh queue per round: the emulator slows down as a queue grows, which would favour whichever ran first.
        var queue = await admin.CreateQueueAsync("throughput-" + Guid.NewGuid().ToString("N"));
        var batches = messages / 10;
        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, batches), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (b, ct) =>
        {
            var request = new SendMessageBatchRequest { QueueUrl = queue };
            for (var i = 0; i < 10; i++)
            {
                request.Entries.Add(new SendMessageBatchRequestEntry
                {
                    Id = "e" + i.ToString(CultureInfo.InvariantCulture),
                    MessageBody = payload,
                    MessageAttributes = new()
                    {
                        ["tenant"] = MessageAttributeValue.FromString("t-1"),
                        ["type"] = MessageAttributeValue.FromString("OrderPlaced"),
                    },
                });
            }

            var response = await client.SendMessageBatchAsync(request, ct);
            if (response.Failed.Count > 0)
            {
                throw new InvalidOperationException($"{response.Failed.Count} entries failed: {response.Failed[0].Code} {response.Failed[0].Message}");
            }
        });
        var rate = batches * 10 / stopwatch.Elapsed.TotalSeconds;
        await admin.SetQueueAttributesAsync(queue, new Dictionary<string, string> { ["MessageRetentionPeriod"] = "60" });
        return rate;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static int Option(string[] args, string name, int fallback) =>
        OptionText(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string? OptionText(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
