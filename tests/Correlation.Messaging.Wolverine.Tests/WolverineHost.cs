using System.Collections.Concurrent;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wolverine;
using Wolverine.Kafka;
using Wolverine.RabbitMQ;

namespace Correlation.Messaging.Wolverine.Tests;

/// <summary>An order placed by one of our services, handled by the Wolverine app.</summary>
public sealed record PlaceOrder(string OrderId);

/// <summary>The message the Wolverine app cascades from its handler, consumed by one of our services.</summary>
public sealed record OrderAccepted(string OrderId);

/// <summary>What the Wolverine handler saw of an order's envelope.</summary>
public sealed record SeenByWolverine(string OrderId, string? CorrelationId, Guid EnvelopeId);

/// <summary>The Wolverine app's handler: records what it saw and cascades <see cref="OrderAccepted"/>.</summary>
public static class PlaceOrderHandler
{
    public static ConcurrentQueue<SeenByWolverine> Seen { get; } = new();

    public static OrderAccepted Handle(PlaceOrder order, Envelope envelope)
    {
        Seen.Enqueue(new SeenByWolverine(order.OrderId, envelope.CorrelationId, envelope.Id));
        return new OrderAccepted(order.OrderId);
    }
}

/// <summary>
/// A real Wolverine 6 application on the same RabbitMQ and Kafka as the tests: it listens to one queue and one topic
/// for <see cref="PlaceOrder"/> and cascades <see cref="OrderAccepted"/> to one queue and one topic that our consumers
/// read. Kafka runs on the mock cluster: topics pre-created, no auto-provisioning (the mock has no admin API).
/// </summary>
public sealed class WolverineHost : IAsyncDisposable
{
    private readonly IHost _host;

    private WolverineHost(IHost host) => _host = host;

    public static async Task<WolverineHost> StartAsync(Transport transport, string inbound, string outbound)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseWolverine(opts =>
        {
            opts.ApplicationAssembly = typeof(WolverineHost).Assembly;
            opts.UseRuntimeCompilation();
            opts.Discovery.DisableConventionalDiscovery().IncludeType(typeof(PlaceOrderHandler));
            if (transport == Transport.RabbitMq)
            {
                opts.UseRabbitMq(BrokerEndpoints.RabbitMqUri).AutoProvision();
                opts.ListenToRabbitQueue(inbound).DefaultIncomingMessage<PlaceOrder>();
                opts.PublishMessage<OrderAccepted>().ToRabbitQueue(outbound);
            }
            else
            {
                opts.UseKafka(BrokerEndpoints.KafkaBootstrapServers)
                    .ConfigureConsumers(c =>
                    {
                        c.GroupId = "wolverine-" + inbound;
                        c.AutoOffsetReset = Confluent.Kafka.AutoOffsetReset.Earliest;
                        c.TopicMetadataRefreshIntervalMs = 1_000;
                    });
                opts.ListenToKafkaTopic(inbound).DefaultIncomingMessage<PlaceOrder>();
                opts.PublishMessage<OrderAccepted>().ToKafkaTopic(outbound);
            }
        });

        var host = builder.Build();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host.StartAsync(cts.Token);
        return new WolverineHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StopAsync(cts.Token);
        _host.Dispose();
    }
}

public enum Transport
{
    RabbitMq,
    Kafka,
}
