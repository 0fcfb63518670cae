using Amazon.Runtime;
using Demo.Shared;
using Demo.Shared.Logging;
using Inventory.Service;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddDemoJsonConsole("inventory-service");
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));

// ISqsClient is a correlating client: every SendMessage carries X-Correlation-ID and X-Causation-ID attributes.
builder.Services.AddCorrelation()
    .AddSqsClient(o =>
    {
        o.ServiceUrl = DemoSettings.SqsServiceUrl(builder.Configuration);
        o.Region = "us-east-1";
        o.Credentials = new BasicAWSCredentials("demo", "demo");   // the emulator accepts any signature
    });
builder.Services.AddHostedService<OrderLineConsumer>();

await builder.Build().RunAsync();
