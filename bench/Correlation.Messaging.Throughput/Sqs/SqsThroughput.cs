using System.Diagnostics;
using System.Globalization;
using Amazon.Runtime;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs;
using Correlation.Messaging.Sqs.Client;
using static Correlation.Messaging.Throughput.HarnessArgs;

namespace Correlation.Messaging.Throughput.Sqs;

/// <summary>
/// Batched send throughput (SendMessageBatch, 10 entries) of the plain SQS client against the correlating client over
/// the same client, in interleaved rounds (raw, by-hand attributes, correlating, in rotating order), printing the ratios.
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
            await RoundAsync(raw, raw, payload, Math.Min(messages, 1_000), parallel, extra: null);
            await RoundAsync(correlating, raw, payload, Math.Min(messages, 1_000), parallel, extra: null);

            // Three variants per round, in rotating order: raw (no correlation attributes), by-hand (the same two
            // attributes the package writes, written by the caller), and the correlating client. correlating / by-hand is
            // the package's own cost; correlating / raw adds what the emulator spends on two more attributes.
            var byHand = new Dictionary<string, string> { ["X-Correlation-ID"] = context.CorrelationId, ["X-Causation-ID"] = context.MessageId! };
            var rates = new List<double>[] { [], [], [] };
            for (var r = 0; r < rounds; r++)
            {
                for (var k = 0; k < 3; k++)
                {
                    var variant = (r + k) % 3;
                    rates[variant].Add(variant switch
                    {
                        0 => await RoundAsync(raw, raw, payload, messages, parallel, extra: null),
                        1 => await RoundAsync(raw, raw, payload, messages, parallel, extra: byHand),
                        _ => await RoundAsync(correlating, raw, payload, messages, parallel, extra: null),
                    });
                }

                Console.WriteLine($"round {r + 1}: raw {rates[0][r],10:N0} msg/s   by-hand {rates[1][r],10:N0} msg/s   correlating {rates[2][r],10:N0} msg/s   ratio vs by-hand {rates[2][r] / rates[1][r]:F3}, vs raw {rates[2][r] / rates[0][r]:F3}");
            }

            var vsByHand = rates[1].Zip(rates[2], (x, y) => y / x).ToList();
            var vsRaw = rates[0].Zip(rates[2], (x, y) => y / x).ToList();
            Console.WriteLine($"median raw {Median(rates[0]):N0} msg/s, by-hand {Median(rates[1]):N0} msg/s, correlating {Median(rates[2]):N0} msg/s");
            Console.WriteLine($"ratio correlating/by-hand (the package's own cost): median of rounds {Median(vsByHand):F3} (goal >= 0.98)");
            Console.WriteLine($"ratio correlating/raw (package + two more attributes on the wire): median of rounds {Median(vsRaw):F3}");
            Console.WriteLine($"RESULT throughput ratio correlating / by-hand: {Spread(vsByHand)}");
        }

        return 0;
    }

    private static async Task<double> RoundAsync(ISqsClient client, SqsClient admin, string payload, int messages, int parallel, Dictionary<string, string>? extra)
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
                var entry = new SendMessageBatchRequestEntry
                {
                    Id = "e" + i.ToString(CultureInfo.InvariantCulture),
                    MessageBody = payload,
                    MessageAttributes = new()
                    {
                        ["tenant"] = MessageAttributeValue.FromString("t-1"),
                        ["type"] = MessageAttributeValue.FromString("OrderPlaced"),
                    },
                };
                foreach (var (name, value) in extra ?? [])
                {
                    entry.MessageAttributes[name] = MessageAttributeValue.FromString(value);
                }

                request.Entries.Add(entry);
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
}
