using System.Collections.Concurrent;
using Confluent.Kafka;
using Correlation.Messaging.Kafka.Tests.Integration;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Kafka.Tests.Hosting;

/// <summary>What the test handler saw: each record with the context ambient while it ran.</summary>
public sealed class HandlerProbe
{
    private int _running;
    private int _maxRunning;

    public ConcurrentQueue<(ConsumeResult<string, string> Record, CorrelationContext? Context)> Handled { get; } = new();

    public ConcurrentDictionary<string, int> Attempts { get; } = new();

    /// <summary>Gets or sets what the handler does with a record (after logging it); throw to fail it.</summary>
    public Func<ConsumeResult<string, string>, CancellationToken, Task> Behaviour { get; set; } = (_, _) => Task.CompletedTask;

    public int MaxRunning => Volatile.Read(ref _maxRunning);

    public async Task RunAsync(ConsumeResult<string, string> record, CancellationToken cancellationToken)
    {
        var running = Interlocked.Increment(ref _running);
        InterlockedMax(ref _maxRunning, running);
        try
        {
            Attempts.AddOrUpdate(record.Message.Value, 1, (_, n) => n + 1);
            await Behaviour(record, cancellationToken);
            Handled.Enqueue((record, CorrelationContext.Current));
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}

/// <summary>The handler under test: logs one line, then does what the probe says.</summary>
public sealed class ProbeHandler(HandlerProbe probe, ILogger<ProbeHandler> logger) : IKafkaHandler<string, string>
{
    public async Task HandleAsync(ConsumeResult<string, string> record, CancellationToken cancellationToken)
    {
        logger.LogInformation("Handling {Value} from partition {Partition}", record.Message.Value, record.Partition.Value);
        await probe.RunAsync(record, cancellationToken);
    }
}

/// <summary>A host with one hosted Kafka consumer and every log line captured.</summary>
public sealed class HostedConsumerHarness : IAsyncDisposable
{
    private HostedConsumerHarness(IHost host, CapturingLoggerProvider logs)
    {
        Host = host;
        Logs = logs;
    }

    public IHost Host { get; }

    public CapturingLoggerProvider Logs { get; }

    public static HostedConsumerHarness Create(
        KafkaFixture kafka,
        string topic,
        string groupId,
        HandlerProbe probe,
        Action<KafkaConsumerOptions>? configure = null,
        Action<ConsumerConfig>? configureConfig = null,
        CapturingLoggerProvider? logs = null)
    {
        logs ??= new CapturingLoggerProvider();
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.AddSingleton(probe);
        var config = kafka.ConsumerConfig(groupId);
        configureConfig?.Invoke(config);
        builder.Services.AddKafkaConsumer<string, string, ProbeHandler>(topic, config, configure);
        return new HostedConsumerHarness(builder.Build(), logs);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Host.StopAsync(CancellationToken.None);
        }
        finally
        {
            Host.Dispose();
        }
    }

    /// <summary>Produces <paramref name="values"/> through a correlating producer, each in its own flow; returns the flow IDs by value.</summary>
    public static async Task<Dictionary<string, string>> ProduceAsync(KafkaFixture kafka, string topic, IEnumerable<(string? Key, string Value, int? Partition)> values)
    {
        var flows = new Dictionary<string, string>();
        using var producer = kafka.CorrelatingProducer(new CorrelationPropagator(new CorrelationOptions()));
        foreach (var (key, value, partition) in values)
        {
            var flow = "flow-" + value + "-" + Guid.NewGuid().ToString("N")[..8];
            flows[value] = flow;
            using (CorrelationContext.BeginScope(new CorrelationContext(flow)))
            {
                var message = new Message<string, string> { Key = key!, Value = value };
                if (partition is { } p)
                {
                    await producer.ProduceAsync(new TopicPartition(topic, p), message);
                }
                else
                {
                    await producer.ProduceAsync(topic, message);
                }
            }
        }

        return flows;
    }
}
