using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Correlation.Messaging.Kafka;
using Correlation.Messaging.Propagation;
using static Correlation.Messaging.Throughput.HarnessArgs;

namespace Correlation.Messaging.Throughput.Kafka;

/// <summary>
/// Produce throughput of the raw Confluent producer (without headers, and with the same three headers written by hand)
/// against the correlating wrapper over the same producer instance, in interleaved rounds whose order rotates, so that
/// drift in the broker or the machine hits every variant alike.
/// </summary>
/// <remarks>
/// Options: <c>--messages N</c> per round (default 200,000), <c>--rounds R</c> (default 8), <c>--bootstrap host:port</c>
/// (default <c>KAFKA_BOOTSTRAP_SERVERS</c>). Each round produces with <c>Produce</c> and a delivery handler, then flushes;
/// the rate counts delivered messages. Each message is produced inside a consume-like scope, so the wrapper writes all three headers.
/// </remarks>
internal static class KafkaThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var messages = Option(args, "--messages", 200_000);
        var rounds = Option(args, "--rounds", 8);
        var bootstrap = OptionText(args, "--bootstrap") ?? Environment.GetEnvironmentVariable("KAFKA_BOOTSTRAP_SERVERS");
        if (string.IsNullOrEmpty(bootstrap))
        {
            Console.Error.WriteLine("KAFKA_BOOTSTRAP_SERVERS is not set: eng/brokers.sh up kafka && eval \"$(eng/brokers.sh env)\"");
            return 2;
        }

        var topic = "throughput-" + Guid.NewGuid().ToString("N");
        var config = new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5, BatchNumMessages = 10_000, QueueBufferingMaxMessages = 1_000_000 };
        using var raw = new ProducerBuilder<string, string>(config).Build();
        var wrapped = raw.WithCorrelation(new CorrelationPropagator(new CorrelationOptions()));
        var payload = new string('x', 256);
        var context = new CorrelationContext(Guid.NewGuid().ToString(), causationId: null, messageId: Guid.NewGuid().ToString());

        Console.WriteLine($"Kafka produce throughput: {messages:N0} messages of {payload.Length} B per round, {rounds} interleaved rounds of 3 variants, topic {topic}");
        Console.WriteLine($"bootstrap {bootstrap}; {Environment.ProcessorCount} cores; .NET {Environment.Version}");
        await raw.ProduceAsync(topic, new Message<string, string> { Value = "warm-up" }); // creates the topic, fetches metadata
        Round(raw, topic, payload, context, Math.Min(messages, 10_000));
        Round(wrapped, topic, payload, context, Math.Min(messages, 10_000));
        Round(new HandWrittenHeaders(raw, context), topic, payload, context, Math.Min(messages, 10_000));

        // Three variants over the same Confluent producer instance:
        //   raw         - the caller's message as is (no headers);
        //   raw+headers - the same three headers written by hand (cached correlation/causation bytes, a new message ID):
        //                 what an application pays to carry the IDs without this package;
        //   correlating - the wrapper.
        var handWritten = new HandWrittenHeaders(raw, context);
        var variants = new (string Name, IProducer<string, string> Producer)[] { ("raw", raw), ("raw+headers", handWritten), ("correlating", wrapped) };
        var rates = variants.Select(_ => new List<double>()).ToArray();
        for (var r = 0; r < rounds; r++)
        {
            // Rotate the order each round, so no variant always follows another's flush.
            var line = new System.Text.StringBuilder($"round {r + 1,2}:");
            var measured = new double[variants.Length];
            for (var k = 0; k < variants.Length; k++)
            {
                var v = (r + k) % variants.Length;
                measured[v] = Round(variants[v].Producer, topic, payload, context, messages);
            }

            for (var v = 0; v < variants.Length; v++)
            {
                rates[v].Add(measured[v]);
                line.Append(CultureInfo.InvariantCulture, $"  {variants[v].Name} {measured[v],10:N0} msg/s");
            }

            line.Append(CultureInfo.InvariantCulture, $"  ratio vs raw+headers {measured[2] / measured[1]:F3}, vs raw {measured[2] / measured[0]:F3}");
            Console.WriteLine(line);
        }

        var medians = rates.Select(Median).ToArray();
        var vsHeaders = rates[2].Zip(rates[1], (c, h) => c / h).ToList();
        var vsRaw = rates[2].Zip(rates[0], (c, h) => c / h).ToList();
        Console.WriteLine($"median msg/s: raw {medians[0]:N0}, raw+headers {medians[1]:N0}, correlating {medians[2]:N0}");
        Console.WriteLine($"ratio correlating / raw+headers (the adapter's own cost): median of rounds {Median(vsHeaders):F3} (goal >= 0.98)");
        Console.WriteLine($"ratio correlating / raw without headers (adapter + carrying 3 headers on the wire): median of rounds {Median(vsRaw):F3}");
        Console.WriteLine($"RESULT throughput ratio correlating / raw+headers: {Spread(vsHeaders)}");
        return 0;
    }

    /// <summary>The baseline an application would write by hand: the same three headers on a new Headers per message.</summary>
    private sealed class HandWrittenHeaders(IProducer<string, string> inner, CorrelationContext context) : IProducer<string, string>
    {
        private readonly byte[] _correlation = context.CorrelationIdUtf8.ToArray();
        private readonly byte[] _causation = context.MessageIdUtf8.ToArray();

        public Handle Handle => inner.Handle;

        public string Name => inner.Name;

        public void Produce(string topic, Message<string, string> message, Action<DeliveryReport<string, string>>? deliveryHandler = null)
        {
            message.Headers = new Headers
            {
                { CorrelationHeaders.CorrelationId, _correlation },
                { CorrelationHeaders.CausationId, _causation },
                { CorrelationHeaders.MessageId, NewMessageId() },
            };
            inner.Produce(topic, message, deliveryHandler);
        }

        public int Flush(TimeSpan timeout) => inner.Flush(timeout);

        // As cheap as the package's own: random bits from Random.Shared, formatted straight to UTF-8 (no string).
        private static byte[] NewMessageId()
        {
            Span<byte> uuid = stackalloc byte[16];
            Random.Shared.NextBytes(uuid);
            var bytes = new byte[36];
            new Guid(uuid, bigEndian: true).TryFormat(bytes, out _, "D");
            return bytes;
        }

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

    private static double Round(IProducer<string, string> producer, string topic, string payload, CorrelationContext context, int count)
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
        CountFailed(failed);

        return delivered / watch.Elapsed.TotalSeconds;
    }
}
