using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using Amazon.SQS;
using Demo.Shared;
using Demo.Shared.Logging;
using Fulfilment.Worker;
using Hangfire;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddDemoJsonConsole("fulfilment-worker");
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
builder.Services.AddHostedService<ShipmentProcessor>();

// Work that leaves the handler: each completed line enqueues a Hangfire job. UseCorrelation stores the flow with the
// job and restores it around every attempt, so the e-mail's log lines carry the order's ID, with the SQS message that
// enqueued the job as their causation.
builder.Services.AddHangfire((services, config) => config
    .UseInMemoryStorage()
    .UseCorrelation(services));
builder.Services.AddHangfireServer(o =>
{
    o.WorkerCount = 2;
    o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
});
builder.Services.AddTransient<ShippingEmailJob>();

await builder.Build().RunAsync();
