using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Correlation.Messaging.Contracts;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Kafka.Tests.Reliability;

/// <summary>
/// The contract harness on Kafka: three single-partition topics of its own (inbound, downstream, dead-letter), a raw
/// Confluent producer as the foreign sender, and a consume loop through <see cref="ConsumerCorrelationExtensions"/>
/// whose handler produces downstream with a <see cref="CorrelatingProducerBuilder{TKey, TValue}"/> producer.
/// </summary>
/// <remarks>
/// <para>
/// The failure path is the one the package documents: the helper throws <see cref="ConsumeProcessingException{TKey, TValue}"/>
/// before any commit, and the caller's loop (here) produces the record as it was received to the dead-letter topic
/// (<c>&lt;inbound&gt;-dlt</c>, with a <c>dlt-reason</c> header) and then stores its offset.
/// <see cref="ReachedFailurePathAsync"/> reads the dead-letter topic with a raw consumer, so it proves the record is there.
/// </para>
/// <para>
/// The inbound consumer is assigned partition 0 (no group join, so a harness starts in milliseconds); offsets are stored
/// only after a record was handled or dead-lettered. Kafka has no native correlation property:
/// <see cref="RawHeader.NativeCorrelationId"/> is refused.
/// </para>
/// </remarks>
public sealed class KafkaContractHarness : IRelayContractHarness
{
    /// <summary>The header the loop adds to dead-lettered records: the inner exception's type name.</summary>
    public const string DeadLetterReasonHeader = "dlt-reason";

    private readonly string _bootstrap;
    private readonly ILoggerFactory _loggerFactory;
    private readonly IProducer<string, string> _raw;
    private readonly IProducer<string, string> _correlating;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Exception> _loopErrors = new();
    private readonly ConcurrentQueue<CorrelationContext?> _afterHandler = new();
    private readonly HashSet<string> _deadLettered = new(StringComparer.Ordinal);
    private readonly Queue<ObservedMessage> _downstream = new();
    private IConsumer<string, string>? _downstreamReader;
    private IConsumer<string, string>? _deadLetterReader;
    private Task? _loop;
    private int _deadLetteredCount;

    private KafkaContractHarness(string bootstrap, CorrelationOptions options, string prefix)
    {
        _bootstrap = bootstrap;
        InboundTopic = $"corr-{prefix}-{Guid.NewGuid():N}";
        Logs = new CapturingLoggerProvider();
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        Propagator = new CorrelationPropagator(options, _loggerFactory);
        var producerConfig = new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 2, MessageTimeoutMs = 30_000 };
        _raw = new ProducerBuilder<string, string>(producerConfig).Build();
        _correlating = new CorrelatingProducerBuilder<string, string>(producerConfig, Propagator).Build();
    }

    /// <inheritdoc />
    public string Broker => "Kafka";

    /// <inheritdoc />
    public CapturingLoggerProvider Logs { get; }

    /// <summary>Gets the propagator the consume loop and the downstream producer use.</summary>
    public CorrelationPropagator Propagator { get; }

    /// <summary>Gets the topic the raw sender writes and the loop reads.</summary>
    public string InboundTopic { get; }

    /// <summary>Gets the topic the handler's downstream messages go to.</summary>
    public string DownstreamTopic => InboundTopic + "-down";

    /// <summary>Gets the dead-letter topic of the loop.</summary>
    public string DeadLetterTopic => InboundTopic + "-dlt";

    /// <summary>Gets the number of records the loop dead-lettered.</summary>
    public int DeadLetteredCount => Volatile.Read(ref _deadLetteredCount);

    /// <inheritdoc />
    public IReadOnlyCollection<CorrelationContext?> ContextsAfterHandler => _afterHandler;

    /// <summary>Creates a harness with its own topics (through the mock's control port, or auto-created on a real Kafka).</summary>
    public static async Task<KafkaContractHarness> CreateAsync(CorrelationOptions options, string prefix = "contract")
    {
        var harness = new KafkaContractHarness(BrokerEndpoints.KafkaBootstrapServers, options, prefix);
        foreach (var topic in new[] { harness.InboundTopic, harness.DownstreamTopic, harness.DeadLetterTopic })
        {
            await KafkaMockControl.TryCreateTopicAsync(topic, 1);
        }

        return harness;
    }

    /// <inheritdoc />
    public Task StartConsumerAsync(Func<HandlerCall, Task> handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (_loop is not null)
        {
            throw new InvalidOperationException("The consumer is already running.");
        }

        var consumer = new ConsumerBuilder<string, string>(ConsumerConfig()).Build();
        consumer.Assign(new TopicPartitionOffset(InboundTopic, 0, Offset.Beginning));
        _loop = Task.Factory.StartNew(() => RunLoop(consumer, handler), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task SendRawAsync(string body, IReadOnlyList<RawHeader> headers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var kafkaHeaders = new Headers();
        foreach (var header in headers)
        {
            if (header.Name == RawHeader.NativeCorrelationId)
            {
                throw new NotSupportedException("Kafka records have no native correlation property; send a header instead.");
            }

            kafkaHeaders.Add(header.Name, Encode(header.Value));
        }

        await _raw.ProduceAsync(new TopicPartition(InboundTopic, 0), new Message<string, string> { Value = body, Headers = kafkaHeaders }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task SendPreparedAsync(string body, IReadOnlyList<RawHeader> headers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var kafkaHeaders = new Headers();
        foreach (var header in headers)
        {
            kafkaHeaders.Add(header.Name, Encode(header.Value));
        }

        await _correlating.ProduceAsync(new TopicPartition(DownstreamTopic, 0), new Message<string, string> { Value = body, Headers = kafkaHeaders }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ObservedMessage>> ReadDownstreamAsync(int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _downstreamReader ??= AssignedReader(DownstreamTopic);
        var deadline = DateTime.UtcNow + timeout;
        while (_downstream.Count < count && DateTime.UtcNow < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ThrowIfLoopFailed();
            var record = await Task.Run(() => _downstreamReader.Consume(TimeSpan.FromMilliseconds(100)), cancellationToken);
            if (record?.Message is { } message)
            {
                _downstream.Enqueue(new ObservedMessage(
                    message.Value,
                    Text(message.Headers, CorrelationHeaders.CorrelationId),
                    Text(message.Headers, CorrelationHeaders.CausationId),
                    BrokerMessageId(record)));
            }
        }

        var read = new List<ObservedMessage>(count);
        while (read.Count < count && _downstream.TryDequeue(out var next))
        {
            read.Add(next);
        }

        return read;
    }

    /// <inheritdoc />
    public async Task<bool> ReachedFailurePathAsync(string body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _deadLetterReader ??= AssignedReader(DeadLetterTopic);
        var deadline = DateTime.UtcNow + timeout;
        while (!_deadLettered.Contains(body) && DateTime.UtcNow < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ThrowIfLoopFailed();
            var record = await Task.Run(() => _deadLetterReader.Consume(TimeSpan.FromMilliseconds(100)), cancellationToken);
            if (record?.Message is { } message)
            {
                message.Headers.TryGetLastBytes(DeadLetterReasonHeader, out var reason).ShouldBeTrue("a dead-lettered record carries its reason");
                Encoding.UTF8.GetString(reason).ShouldBe(nameof(CorrelationIdRejectedException), $"dead-letter reason of '{message.Value}'");
                _deadLettered.Add(message.Value);
            }
        }

        return _deadLettered.Contains(body);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        _downstreamReader?.Close();
        _downstreamReader?.Dispose();
        _deadLetterReader?.Close();
        _deadLetterReader?.Dispose();
        _raw.Dispose();
        _correlating.Dispose();
        _loggerFactory.Dispose();
        _stop.Dispose();
        foreach (var topic in new[] { InboundTopic, DownstreamTopic, DeadLetterTopic })
        {
            await KafkaMockControl.TryDeleteTopicAsync(topic);
        }

        ThrowIfLoopFailed();
    }

    private void RunLoop(IConsumer<string, string> consumer, Func<HandlerCall, Task> handler)
    {
        using (consumer)
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var result = consumer.ConsumeWithCorrelationAsync(
                            Propagator,
                            (record, _) => handler(new HandlerCall(record.Message.Value, BrokerMessageId(record), SendDownstreamAsync)),
                            _stop.Token)
                        .GetAwaiter().GetResult();
                    if (result?.Message is not null)
                    {
                        // The loop's own flow, right after the package's consume helper returned.
                        _afterHandler.Enqueue(CorrelationContext.Current);
                        consumer.StoreOffset(result);
                    }
                }
                catch (ConsumeProcessingException<string, string> ex) when (ex.ConsumeResult is not null)
                {
                    // The caller's side of the contract: the record was not committed; dead-letter it as received, then move on.
                    _afterHandler.Enqueue(CorrelationContext.Current);
                    var failed = ex.ConsumeResult;
                    var headers = new Headers();
                    foreach (var header in failed.Message.Headers)
                    {
                        headers.Add(header);
                    }

                    headers.Add(DeadLetterReasonHeader, Encoding.UTF8.GetBytes(ex.InnerException?.GetType().Name ?? "unknown"));
                    _raw.ProduceAsync(
                            new TopicPartition(DeadLetterTopic, 0),
                            new Message<string, string> { Key = failed.Message.Key, Value = failed.Message.Value, Headers = headers })
                        .GetAwaiter().GetResult();
                    Interlocked.Increment(ref _deadLetteredCount);
                    consumer.StoreOffset(failed);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    break;
                }
                catch (ConsumeException ex) when (!ex.Error.IsFatal)
                {
                    // Transient (for example the topic is still being created on a real Kafka): consume again.
                }
                catch (Exception ex)
                {
                    _loopErrors.Enqueue(ex);
                    break;
                }
            }

            consumer.Close();
        }
    }

    private Task SendDownstreamAsync(string body) =>
        _correlating.ProduceAsync(new TopicPartition(DownstreamTopic, 0), new Message<string, string> { Value = body });

    private ConsumerConfig ConsumerConfig() => new()
    {
        BootstrapServers = _bootstrap,
        GroupId = "harness-" + Guid.NewGuid().ToString("N"),
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        FetchWaitMaxMs = 20,
        TopicMetadataRefreshIntervalMs = 1_000,
    };

    private IConsumer<string, string> AssignedReader(string topic)
    {
        var reader = new ConsumerBuilder<string, string>(ConsumerConfig()).Build();
        reader.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        return reader;
    }

    private void ThrowIfLoopFailed()
    {
        if (_loopErrors.TryPeek(out var error))
        {
            throw new InvalidOperationException("The harness's consume loop failed.", error);
        }
    }

    /// <summary>The record's own ID as the package defines it, computed here independently: its X-Message-ID, else topic:partition:offset.</summary>
    private static string BrokerMessageId(ConsumeResult<string, string> record) =>
        Text(record.Message.Headers, CorrelationHeaders.MessageId)
        ?? string.Create(CultureInfo.InvariantCulture, $"{record.Topic}:{record.Partition.Value}:{record.Offset.Value}");

    private static string? Text(Headers? headers, string name) =>
        headers is not null && headers.TryGetLastBytes(name, out var bytes) && bytes is not null ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary>Header bytes as a foreign producer writes them: UTF-8 text, raw bytes, a big-endian 32-bit integer (Java's IntegerSerializer), or null.</summary>
    private static byte[]? Encode(object? value)
    {
        switch (value)
        {
            case null:
                return null;
            case string text:
                return Encoding.UTF8.GetBytes(text);
            case byte[] bytes:
                return bytes;
            case int number:
                var buffer = new byte[4];
                BinaryPrimitives.WriteInt32BigEndian(buffer, number);
                return buffer;
            default:
                throw new NotSupportedException($"A raw header value of type {value.GetType().Name} has no Kafka encoding here.");
        }
    }
}
