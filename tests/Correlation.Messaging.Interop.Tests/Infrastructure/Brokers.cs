using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Confluent.Kafka;
using Correlation.Messaging.Kafka;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;
using MassTransit;

namespace Correlation.Messaging.Interop.Tests.Infrastructure;

/// <summary>The tests of this project share the brokers and process-wide listeners: they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrokersCollection
{
    public const string Name = "RabbitMQ and Kafka brokers";
}

/// <summary>Real RabbitMQ and Kafka endpoints (a missing broker fails under <c>CI=true</c>), and small helpers.</summary>
public static class Brokers
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    public static string NewName(string prefix) => $"corr-interop-{prefix}-{Guid.NewGuid():N}";

    /// <summary>Starts a MassTransit bus on the real RabbitMQ with <c>UseCorrelationPropagation(propagator)</c> (unless <see langword="null"/>).</summary>
    public static async Task<IBusControl> StartBusAsync(CorrelationPropagator? propagator, Action<IRabbitMqBusFactoryConfigurator> configure)
    {
        var uri = BrokerEndpoints.RabbitMqUri;
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(uri.Host, (ushort)(uri.Port > 0 ? uri.Port : 5672), "/", h =>
            {
                var user = Uri.UnescapeDataString(uri.UserInfo).Split(':', 2);
                h.Username(user.Length > 0 && user[0].Length > 0 ? user[0] : "guest");
                h.Password(user.Length > 1 ? user[1] : "guest");
            });
            if (propagator is not null)
            {
                cfg.UseCorrelationPropagation(propagator);
            }

            configure(cfg);
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await bus.StartAsync(cts.Token);
        return bus;
    }

    public static ProducerConfig ProducerConfig() => new()
    {
        BootstrapServers = BrokerEndpoints.KafkaBootstrapServers,
        LingerMs = 5,
        MessageTimeoutMs = 30_000,
    };

    public static IProducer<string, string> CorrelatingProducer(CorrelationPropagator propagator) =>
        new CorrelatingProducerBuilder<string, string>(ProducerConfig(), propagator).Build();

    public static IProducer<string, string> RawProducer() => new ProducerBuilder<string, string>(ProducerConfig()).Build();

    /// <summary>A consumer reading partition 0 of <paramref name="topic"/> from the beginning, without a group join.</summary>
    public static IConsumer<string, string> AssignedConsumer(string topic)
    {
        var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = BrokerEndpoints.KafkaBootstrapServers,
            GroupId = "assign-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            TopicMetadataRefreshIntervalMs = 1_000,
            FetchWaitMaxMs = 50,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        return consumer;
    }

    /// <summary>Creates a topic with one partition through the mock cluster's control port (no admin API there); a real Kafka auto-creates it.</summary>
    public static Task CreateTopicAsync(string topic) => KafkaMockTopics.TryCreateAsync(topic);

    /// <summary>Consumes the first record of <paramref name="topic"/> inside its correlation scope, running <paramref name="handler"/> there.</summary>
    public static ConsumeResult<string, string> ConsumeOne(string topic, CorrelationPropagator propagator, Action<ConsumeResult<string, string>> handler)
    {
        using var consumer = AssignedConsumer(topic);
        var deadline = DateTime.UtcNow + Deadline;
        ConsumeResult<string, string>? handled = null;
        while (handled is null)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, $"nothing was consumed from {topic}");
            handled = consumer.ConsumeWithCorrelation(propagator, handler, TimeSpan.FromMilliseconds(500));
        }

        consumer.Close();
        return handled;
    }

    public static string? Header(Confluent.Kafka.Headers? headers, string name) =>
        headers is not null && headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;

    public static string? Tag(this Activity span, string name) => span.GetTagItem(name) as string;
}
