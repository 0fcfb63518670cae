using Correlation.Messaging.Testing;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Correlation.Messaging.Testing.Tests.MassTransit;

public sealed record OrderPlaced(int OrderId, int Lines);

public sealed record OrderLineRequested(int OrderId, int Line);

public sealed record ShipmentRequested(int OrderId, int Line);

/// <summary>How a test breaks the orders flow, for the failing twins.</summary>
public enum Breakage
{
    /// <summary>A healthy flow.</summary>
    None,

    /// <summary>The line consumer publishes the shipment from a thread that lost the flow (the ID is dropped).</summary>
    DropId,

    /// <summary>The line consumer publishes the shipment from a scope that kept the ID but lost the message being handled (no causation).</summary>
    WrongCausation,

    /// <summary>No consumer of <see cref="ShipmentRequested"/> is registered.</summary>
    MissingConsumer,

    /// <summary>The line consumer logs through a logger factory of its own, outside the application's logging scopes.</summary>
    OwnLoggerFactory,

    /// <summary>The shipment consumer throws.</summary>
    ShipmentThrows,
}

public sealed class OrderPlacedConsumer(ILogger<OrderPlacedConsumer> logger) : IConsumer<OrderPlaced>
{
    public async Task Consume(ConsumeContext<OrderPlaced> context)
    {
        logger.LogInformation("Order {OrderId} placed", context.Message.OrderId);
        for (var line = 1; line <= context.Message.Lines; line++)
        {
            await context.Publish(new OrderLineRequested(context.Message.OrderId, line));
        }
    }
}

public sealed class OrderLineConsumer(ILogger<OrderLineConsumer> logger, LineSettings settings, IBus bus) : IConsumer<OrderLineRequested>
{
    public async Task Consume(ConsumeContext<OrderLineRequested> context)
    {
        var log = settings.OwnLogger ?? logger;
        log.LogInformation("Line {Line} of order {OrderId} requested", context.Message.Line, context.Message.OrderId);
        var shipment = new ShipmentRequested(context.Message.OrderId, context.Message.Line);
        switch (settings.Breakage)
        {
            case Breakage.DropId:
                Task publish;
#pragma warning disable CM0001 // deliberate: the failing twin of a flow that drops the correlation ID
                using (ExecutionContext.SuppressFlow())
                {
                    publish = Task.Run(() => bus.Publish(shipment));
                }
#pragma warning restore CM0001

                await publish;
                break;
            case Breakage.WrongCausation:
                using (CorrelationContext.BeginScope(new CorrelationContext(CorrelationContext.Current!.CorrelationId)))
                {
                    await context.Publish(shipment);
                }

                break;
            default:
                await context.Publish(shipment);
                break;
        }
    }
}

public sealed class ShipmentConsumer(ILogger<ShipmentConsumer> logger, LineSettings settings) : IConsumer<ShipmentRequested>
{
    public Task Consume(ConsumeContext<ShipmentRequested> context)
    {
        logger.LogInformation("Shipping line {Line} of order {OrderId}", context.Message.Line, context.Message.OrderId);
        if (settings.Breakage == Breakage.ShipmentThrows)
        {
            throw new InvalidOperationException("The warehouse is closed.");
        }

        return Task.CompletedTask;
    }
}

public sealed class LineSettings(Breakage breakage, ILogger? ownLogger)
{
    public Breakage Breakage { get; } = breakage;

    public ILogger? OwnLogger { get; } = ownLogger;
}

/// <summary>
/// The orders flow in one process: an ASP.NET Core endpoint <c>POST /orders</c> publishes <see cref="OrderPlaced"/> on
/// MassTransit's test harness (in-memory transport) with <c>UseCorrelationPropagation</c>; consumers fan out.
/// </summary>
public sealed class OrdersApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ILoggerFactory? _ownFactory;

    private OrdersApp(WebApplication app, ILoggerFactory? ownFactory, FakeLogCollector logs)
    {
        _app = app;
        _ownFactory = ownFactory;
        Logs = logs;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public FakeLogCollector Logs { get; }

    public static async Task<OrdersApp> StartAsync(FlowRecorder flow, Breakage breakage = Breakage.None, bool inMemoryOutbox = false)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        var collector = new FakeLogCollector();
        builder.Logging.AddProvider(flow.CaptureLogs(new FakeLoggerProvider(collector)));
        var ownFactory = breakage == Breakage.OwnLoggerFactory ? LoggerFactory.Create(b => b.AddProvider(flow.CaptureLogs())) : null;
        builder.Services.AddSingleton(new LineSettings(breakage, ownFactory?.CreateLogger("Orders.OwnLogger")));
        builder.Services.AddCorrelation().AddAspNetCore();
        builder.Services.AddMassTransitTestHarness(x =>
        {
            x.AddConsumer<OrderPlacedConsumer>();
            x.AddConsumer<OrderLineConsumer>();
            if (breakage != Breakage.MissingConsumer)
            {
                x.AddConsumer<ShipmentConsumer>();
            }

            x.UsingInMemory((context, cfg) =>
            {
                cfg.UseCorrelationPropagation(context);
                if (inMemoryOutbox)
                {
                    cfg.UseInMemoryOutbox(context);
                }

                cfg.ConfigureEndpoints(context);
            });
        });

        var app = builder.Build();
        app.UseCorrelation();
        app.MapPost("/orders", async (IPublishEndpoint publish) =>
        {
            await publish.Publish(new OrderPlaced(42, 3));
            return Results.Accepted();
        });
        await app.StartAsync();
        return new OrdersApp(app, ownFactory, collector);
    }

    public async Task PlaceOrderAsync()
    {
        using var response = await Client.PostAsync(new Uri("/orders", UriKind.Relative), content: null, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _ownFactory?.Dispose();
    }
}
