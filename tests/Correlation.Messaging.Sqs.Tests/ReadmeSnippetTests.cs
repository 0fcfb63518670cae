using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs.Pipeline.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Correlation.Messaging.Sqs.Tests;

/// <summary>Keeps the README quick start compiling and wired as documented (no broker needed).</summary>
public sealed class ReadmeSnippetTests
{
    [Fact]
    public async Task QuickStart_Registration_BindsTheSdkClientAndRegistersTheProcessor()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddDefaultAWSOptions(new AWSOptions
        {
            Credentials = new BasicAWSCredentials("test", "test"),          // an emulator still needs dummy credentials
            DefaultClientConfig = { ServiceURL = "http://127.0.0.1:9324", AuthenticationRegion = "us-east-1" },
        });
        builder.Services.AddAWSService<IAmazonSQS>();
        builder.Services.AddCorrelation()
            .AddSqs()
            .AddSqsProcessor<OrderHandler>("orders", o => o.MaxConcurrency = 16);
        using var host = builder.Build();

        var sqs = host.Services.GetRequiredService<IAmazonSQS>();

        var client = sqs.ShouldBeOfType<AmazonSQSClient>();
        SqsClientBinding.Find(client.Config).ShouldNotBeNull().Propagator.ShouldBeSameAs(host.Services.GetRequiredService<CorrelationPropagator>());
        host.Services.GetServices<IHostedService>().ShouldContain(s => s.GetType().Name.StartsWith("SqsProcessorHostedService", StringComparison.Ordinal));
        await Task.CompletedTask;
    }

    [Fact]
    public void AddSqs_NoClientRegistered_ThrowsWithTheFix()
    {
        var services = new ServiceCollection();

        Should.Throw<InvalidOperationException>(() => services.AddCorrelation().AddSqs()).Message.ShouldContain("AddAWSService<IAmazonSQS>()");
    }

    [Theory]
    [InlineData(nameof(SqsProcessorOptions.WaitTimeSeconds), 21)]
    [InlineData(nameof(SqsProcessorOptions.WaitTimeSeconds), -1)]
    [InlineData(nameof(SqsProcessorOptions.MaxConcurrency), 0)]
    [InlineData(nameof(SqsProcessorOptions.MaxNumberOfMessages), 11)]
    [InlineData(nameof(SqsProcessorOptions.FailureVisibilityTimeout), 43_201)]
    [InlineData(nameof(SqsProcessorOptions.MessageAttributeNames), 0)]
    public async Task AddSqsProcessor_InvalidOption_HostFailsOnStart(string option, int value)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IAmazonSQS>(new ThrowingSqs());
        builder.Services.AddCorrelation().AddSqsProcessor<OrderHandler>("http://127.0.0.1:9324/000000000000/orders", o =>
        {
            switch (option)
            {
                case nameof(SqsProcessorOptions.WaitTimeSeconds): o.WaitTimeSeconds = value; break;
                case nameof(SqsProcessorOptions.MaxConcurrency): o.MaxConcurrency = value; break;
                case nameof(SqsProcessorOptions.MaxNumberOfMessages): o.MaxNumberOfMessages = value; break;
                case nameof(SqsProcessorOptions.FailureVisibilityTimeout): o.FailureVisibilityTimeout = value; break;
                default: o.MessageAttributeNames.Add("AWS.reserved"); break;
            }
        });
        using var host = builder.Build();

        var ex = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        ex.Message.ShouldContain(option == nameof(SqsProcessorOptions.MessageAttributeNames) ? "AWS.reserved" : option);
    }

    [Fact]
    public void Processor_ValidOptions_Builds()
    {
        var options = new SqsProcessorOptions { QueueUrl = "orders", WaitTimeSeconds = 0, MaxConcurrency = 1 };
        options.MessageAttributeNames.Add("All");
        options.MessageAttributeNames.Add("tenant.*");
        options.MessageAttributeNames.Add("tenant-id");

        Should.NotThrow(() => new SqsMessageProcessor(new ThrowingSqs(), CorrelationPropagator.Default, options));
        Should.Throw<OptionsValidationException>(() => new SqsMessageProcessor(new ThrowingSqs(), CorrelationPropagator.Default, new SqsProcessorOptions()));
    }

    private sealed class OrderHandler : ISqsMessageHandler
    {
        public Task HandleAsync(Message message, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>An SQS client whose every call fails: these tests must never reach a queue.</summary>
    private sealed class ThrowingSqs() : AmazonSQSClient(new BasicAWSCredentials("x", "y"), new AmazonSQSConfig { ServiceURL = "http://127.0.0.1:1" });
}
