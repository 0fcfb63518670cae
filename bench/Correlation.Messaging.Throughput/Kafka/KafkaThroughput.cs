using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Correlation.Messaging.Kafka;
using Correlation.Messaging.Propagation;
using static Correlation.Messaging.Throughput.HarnessArgs;

namespace Correlation.Messaging.Throughput.Kafka;

/// <summary>
/// Produce throughput and allocations of the raw Confluent producer (no headers; one header written by hand; the same
/// headers the wrapper writes, by hand) against the correlating wrapper over the same producer instance, in interleaved
/// rounds whose order rotates, so that drift in the broker or the machine hits every variant alike.
/// </summary>
/// <remarks>
/// Options: <c>--messages N</c> per round (default 200,000), <c>--rounds R</c> (default 8), <c>--bootstrap host:port</c>
/// (default <c>KAFKA_BOOTSTRAP_SERVERS</c>), <c>--edge</c> (produce at the edge of a flow, outside a handler: no causation
/// header). Each round produces with <c>Produce</c> and a delivery handler, then flushes; the rate counts delivered
/// messages; allocations are <see cref="GC.GetTotalAllocatedBytes(bool)"/> over the round divided by the messages (every
/// thread of the process, so the client's own allocations are in every variant alike).
/// </remarks>
internal static class KafkaThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var messages = Option(args, "--messages", 200_000);
        var rounds = Option(args, "--rounds", 8);
        var edge = args.Contains("--edge");
        var bootstrap = OptionText(args, "--bootstrap") ?? Environment.GetEnvironmentVariable("KAFKA_BOOTSTRAP_SERVERS");
        if (string.IsNullOrEmpty(bootstrap))
        {
            Console.Error.WriteLine("KAFKA_BOOTSTRAP_SERVERS is not set: eng/brokers.sh up kafka && eval \"$(eng/brokers.sh env)\"");
            return 2;
        }

        var topic = "throughput-" + Guid.NewGuid().ToString("N");
        var config = new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5, BatchNumMessages = 10_000, QueueBufferingMaxMessages = 1_000_000 };
        using var raw = new ProducerBuilder<string, string>(config).Build();
        var propagator = new CorrelationPropagator(new CorrelationOptions { ServiceName = "throughput" });
        var wrapped = raw.WithCorrelation(propagator);
        var payload = new string('x', 256);
        var context = new CorrelationContext(Guid.NewGuid().ToString(), causationId: null, messageId: edge ? null : "orders:3:1042");

        // What the wrapper writes for this context, captured once, so the hand-written variant writes the same bytes.
        var sample = new Headers();
        propagator.Inject(context, sample, static (h, n, v) => h.Add(n, v.Utf8.ToArray()));
        var sameHeaders = sample.Select(h => (h.Key, h.GetValueBytes())).ToArray();
        var oneHeader = new[] { sameHeaders[0] };

        Console.WriteLine($"Kafka produce throughput: {messages:N0} messages of {payload.Length} B per round, {rounds} interleaved rounds of 4 variants, topic {topic}");
        Console.WriteLine($"bootstrap {bootstrap}; {Environment.ProcessorCount} cores; .NET {Environment.Version}; {(edge ? "at the edge (no causation)" : "inside a handler (causation)")}");
        Console.WriteLine($"headers written by the wrapper: {string.Join(", ", sameHeaders.Select(h => $"{h.Key}={System.Text.Encoding.UTF8.GetString(h.Item2)}"))}");
        await raw.ProduceAsync(topic, new Message<string, string> { Value = "warm-up" }); // creates the topic, fetches metadata

        //   raw          - the caller's message as is (no headers);
        //   raw+1        - one header written by hand (an OpenTelemetry-instrumented producer writes one: traceparent);
        //   raw+same     - the same headers the wrapper writes, by hand, from cached bytes: what an application pays to
        //                  carry the same metadata without this package;
        //   correlating  - the wrapper.
        var variants = new (string Name, IProducer<string, string> Producer)[]
        {
            ("raw", raw),
            ("raw+1", new HandWrittenHeaders(raw, oneHeader)),
            ("raw+same", new HandWrittenHeaders(raw, sameHeaders)),
            ("correlating", wrapped),
        };
        foreach (var (_, producer) in variants)
        {
            Round(producer, topic, payload, context, Math.Min(messages, 10_000));
        }

        var rates = variants.Select(_ => new List<double>()).ToArray();
        var allocations = variants.Select(_ => new List<double>()).ToArray();
        for (var r = 0; r < rounds; r++)
        {
            // Rotate the order each round, so no variant always follows another's flush.
            var line = new System.Text.StringBuilder($"round {r + 1,2}:");
            var measured = new (double Rate, double Bytes)[variants.Length];
            for (var k = 0; k < variants.Length; k++)
            {
                var v = (r + k) % variants.Length;
                measured[v] = Round(variants[v].Producer, topic, payload, context, messages);
            }

            for (var v = 0; v < variants.Length; v++)
            {
                rates[v].Add(measured[v].Rate);
                allocations[v].Add(measured[v].Bytes);
                line.Append(CultureInfo.InvariantCulture, $"  {variants[v].Name} {measured[v].Rate,9:N0}/s {measured[v].Bytes,4:N0} B");
            }

            line.Append(CultureInfo.InvariantCulture, $"  cost vs raw+1 {measured[1].Rate / measured[3].Rate:F3}");
            Console.WriteLine(line);
        }

        var medians = rates.Select(Median).ToArray();
        var costVsOne = rates[1].Zip(rates[3], (one, c) => one / c).ToList();
        var costVsSame = rates[2].Zip(rates[3], (same, c) => same / c).ToList();
        var costOneVsNone = rates[0].Zip(rates[1], (none, one) => none / one).ToList();
        Console.WriteLine($"median msg/s: raw {medians[0]:N0}, raw+1 {medians[1]:N0}, raw+same {medians[2]:N0}, correlating {medians[3]:N0}");
        Console.WriteLine($"median B/msg (whole process): raw {Median(allocations[0]):N0}, raw+1 {Median(allocations[1]):N0}, raw+same {Median(allocations[2]):N0}, correlating {Median(allocations[3]):N0}");
        Console.WriteLine($"cost of the first header (raw+1 time / raw time): {Spread(costOneVsNone)}");
        Console.WriteLine($"cost correlating / raw+same (the adapter's own cost): {Spread(costVsSame)}");
        Console.WriteLine($"RESULT cost correlating / raw+1 (time per message; goal <= 1.10): {Spread(costVsOne)}");
        return 0;
    }

    /// <summary>The baseline an application would write by hand: the given headers, from cached bytes, on a new Headers per message.</summary>
    private sealed class HandWrittenHeaders(IProducer<string, string> inner, (string Key, byte[] Value)[] headers) : IProducer<string, string>
    {
        public Handle Handle => inner.Handle;

        public string Name => inner.Name;

        public void Produce(string topic, Message<string, string> message, Action<DeliveryReport<string, string>>? deliveryHandler = null)
        {
            var written = new Headers();
            foreach (var (key, value) in headers)
            {
                written.Add(key, value);
            }

            message.Headers = written;
            inner.Produce(topic, message, deliveryHandler);
        }

        public int Flush(TimeSpan timeout) => inner.Flush(timeout);

        public int Poll(TimeSpan timeout) => inner.Poll(timeout);

        public int AddBrokers(string brokers) => throw new NotSupportedException();

        public void SetSaslCredentials(string username, string password) => throw new NotSupportedException();

        public Task<DeliveryResult<string, string>> ProduceAsync(string topic, Message<string, string> message, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<DeliveryResult<string, string>> ProduceAsync(TopicPartition topicPartition, Message<string, string> message, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public void Produce(TopicPartition topicPartition, Message<string, string> message, Action<DeliveryReport<string, string>>? deliveryHandler = null) => throw new NotSupportedException();

        public void Flush(CancellationToken cancellationToken = default) => inner.Flush(cancellationToken);

        public void InitTransactions(TimeSpan timeout) => throw new NotSupportedException();

        public void BeginTransaction() => throw new NotSupportedException();

        public void CommitTransaction(TimeSpan timeout) => throw new NotSupportedException();

        public void CommitTransaction() => throw new NotSupportedException();

        public void AbortTransaction(TimeSpan timeout) => throw new NotSupportedException();

        public void AbortTransaction() => throw new NotSupportedException();

        public void SendOffsetsToTransaction(IEnumerable<TopicPartitionOffset> offsets, IConsumerGroupMetadata groupMetadata, TimeSpan timeout) => throw new NotSupportedException();

        public void Dispose()
        {
        }
    }

    private static (double Rate, double Bytes) Round(IProducer<string, string> producer, string topic, string payload, CorrelationContext context, int count)
    {
        var delivered = 0;
        var failed = 0;
        Action<DeliveryReport<string, string>> handler = report =>
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref failed);
            }
            else
            {
                Interlocked.Increment(ref delivered);
            }
        };

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        using (CorrelationContext.BeginScope(context))
        {
            for (var i = 0; i < count; i++)
            {
                while (true)
                {
                    try
                    {
                        producer.Produce(topic, new Message<string, string> { Key = null!, Value = payload }, handler);
                        break;
                    }
                    catch (ProduceException<string, string> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(10));
                    }
                }
            }
        }

        producer.Flush(TimeSpan.FromMinutes(2));
        watch.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        CountFailed(failed);

        return (delivered / watch.Elapsed.TotalSeconds, (double)allocated / count);
    }
}
