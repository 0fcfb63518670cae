using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using Amazon.SQS;
using Demo.Shared;
using Demo.Shared.Logging;
using Inventory.Service;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddDemoJsonConsole("inventory-service");
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));

// The AWS SDK's own IAmazonSQS, as any service has it; AddSqs() hooks correlation into its pipeline, so every
// SendMessage carries X-Correlation-ID (and X-Causation-ID) attributes and every ReceiveMessage asks for them.
builder.Services.AddDefaultAWSOptions(new AWSOptions
{
    Credentials = new BasicAWSCredentials("demo", "demo"),   // the emulator accepts any signature, but the SDK needs credentials
    DefaultClientConfig = { ServiceURL = DemoSettings.SqsServiceUrl(builder.Configuration).ToString(), AuthenticationRegion = "us-east-1" },
});
builder.Services.AddAWSService<IAmazonSQS>();
builder.Services.AddCorrelation().AddSqs();
builder.Services.AddHostedService<OrderLineConsumer>();

await builder.Build().RunAsync();
