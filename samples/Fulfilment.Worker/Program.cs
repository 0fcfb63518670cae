using Amazon.Runtime;
using Demo.Shared;
using Demo.Shared.Logging;
using Fulfilment.Worker;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddDemoJsonConsole("fulfilment-worker");
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));

builder.Services.AddCorrelation()
    .AddSqsClient(o =>
    {
        o.ServiceUrl = DemoSettings.SqsServiceUrl(builder.Configuration);
        o.Region = "us-east-1";
        o.Credentials = new BasicAWSCredentials("demo", "demo");   // the emulator accepts any signature
    });
builder.Services.AddHostedService<ShipmentProcessor>();

await builder.Build().RunAsync();
