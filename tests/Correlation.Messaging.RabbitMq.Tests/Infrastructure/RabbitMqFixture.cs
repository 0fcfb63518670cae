using System.Collections.Concurrent;
using Correlation.Messaging.TestSupport;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace Correlation.Messaging.RabbitMq.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class RabbitMqCollection : ICollectionFixture<RabbitMqFixture>
{
    public const string Name = "RabbitMQ broker";
}

/// <summary>
/// One real RabbitMQ broker for every broker test: a RabbitMQ.Client connection, the management API, one logger factory
/// that records every event (MassTransit's included) with its scope fields, and buses built the way applications build them.
/// </summary>
public sealed class RabbitMqFixture : IAsyncLifetime
{
    private const string ContractsPrefix = "Correlation.Messaging.RabbitMq.Tests";
    private readonly ConcurrentQueue<string> _names = new();
    private IConnection? _connection;
    private ManagementApi? _management;

    public CapturingLoggerProvider Logs { get; } = new();

    public ILoggerFactory LoggerFactory { get; private set; } = null!;

    /// <summary>Gets the management API (skips or fails the test when the broker is not configured).</summary>
    public ManagementApi Management => _management ??= new ManagementApi(BrokerEndpoints.RabbitMqManagementUri);

    public ValueTask InitializeAsync()
    {
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_management is not null)
        {
            await CleanupAsync();
            foreach (var exchange in await _management.ListExchangesAsync())
            {
                if (exchange.StartsWith(ContractsPrefix, StringComparison.Ordinal) || exchange.Contains("--" + ContractsPrefix, StringComparison.Ordinal))
                {
                    await _management.DeleteExchangeAsync(exchange);
                }
            }

            _management.Dispose();
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        LoggerFactory.Dispose();
    }

    /// <summary>Returns a unique durable queue name, deleted (with its error and skipped queues) when the test's bus is disposed.</summary>
    public string NewQueueName(string prefix)
    {
        var name = $"corr-test-{prefix}-{Guid.NewGuid():N}";
        _names.Enqueue(name);
        return name;
    }

    public async Task<IConnection> ConnectionAsync()
    {
        if (_connection is { IsOpen: true })
        {
            return _connection;
        }

        var factory = new ConnectionFactory { Uri = BrokerEndpoints.RabbitMqUri };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        return _connection = await factory.CreateConnectionAsync(cts.Token);
    }

    public async Task<IChannel> CreateChannelAsync() =>
        await (await ConnectionAsync()).CreateChannelAsync();

    /// <summary>
    /// Builds and starts a bus through <c>AddMassTransit</c>, with <c>services.AddCorrelation</c> and
    /// <c>cfg.UseCorrelationPropagation(context)</c> first, as the README shows.
    /// </summary>
    public async Task<TestBus> StartBusAsync(
        Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator> configure,
        Action<CorrelationOptions>? options = null,
        bool propagate = true,
        Action<IBusRegistrationConfigurator>? registrations = null,
        Action<IServiceCollection>? services = null)
    {
        var uri = BrokerEndpoints.RabbitMqUri;
        _ = Management;
        var collection = new ServiceCollection();
        collection.AddSingleton(LoggerFactory);
        collection.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services?.Invoke(collection); // registered last, so its logger factory or propagator wins
        collection.AddCorrelation(options ?? (_ => { }));
        collection.AddMassTransit(x =>
        {
            registrations?.Invoke(x);
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(uri.Host, (ushort)(uri.Port > 0 ? uri.Port : 5672), "/", h =>
                {
                    var user = Uri.UnescapeDataString(uri.UserInfo).Split(':', 2);
                    h.Username(user.Length > 0 && user[0].Length > 0 ? user[0] : "guest");
                    h.Password(user.Length > 1 ? user[1] : "guest");
                });
                if (propagate)
                {
                    cfg.UseCorrelationPropagation(context);
                }

                configure(context, cfg);
            });
        });

        var provider = collection.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await bus.StartAsync(cts.Token);
        return new TestBus(this, provider, bus);
    }

    internal async Task CleanupAsync()
    {
        while (_names.TryDequeue(out var name))
        {
            foreach (var queue in (string[])[name, name + "_error", name + "_skipped"])
            {
                await Management.DeleteQueueAsync(queue);
                await Management.DeleteExchangeAsync(queue);
            }
        }
    }
}

/// <summary>A started bus; disposing stops it and deletes the test's queues.</summary>
public sealed class TestBus(RabbitMqFixture fixture, ServiceProvider provider, IBusControl bus) : IAsyncDisposable
{
    public IBusControl Bus => bus;

    public IServiceProvider Services => provider;

    public async ValueTask DisposeAsync()
    {
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await bus.StopAsync(cts.Token);
        }

        await provider.DisposeAsync();
        await fixture.CleanupAsync();
    }
}
