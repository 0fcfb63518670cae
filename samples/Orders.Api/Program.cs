using Demo.Shared;
using Demo.Shared.Logging;
using MassTransit;
using Orders.Api;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.AddDemoJsonConsole("orders-api");
builder.Host.ConfigureHostOptions(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));

// The HTTP edge: read, validate or generate the correlation ID, echo it on the response. The request's
// TraceIdentifier is the message being handled, so everything published from the request carries it as causation ID.
builder.Services.AddCorrelation().AddAspNetCore();

builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);  // "ready" means the queue is bound
builder.Services.AddMassTransit(x =>
{
    x.UsingRabbitMq((context, cfg) =>
    {
        cfg.Host(DemoSettings.RabbitMqUri(builder.Configuration));
        cfg.UseCorrelationPropagation(context);   // before ConfigureEndpoints
        cfg.ConfigureEndpoints(context);
    });
});

var app = builder.Build();
app.UseCorrelation();                               // first: everything after it logs the ID
app.MapPost("/orders", OrderEndpoints.PlaceOrderAsync);
app.MapGet("/health", () => Results.Text("ok"));

app.Lifetime.ApplicationStarted.Register(() =>
    DemoLog.ServiceReady(app.Logger, $"POST /orders on {string.Join(", ", app.Urls)}"));
await app.RunAsync();
