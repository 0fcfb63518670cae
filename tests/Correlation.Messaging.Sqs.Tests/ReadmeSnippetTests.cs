using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Sqs.Tests;

/// <summary>Keeps the README quick start compiling and wired as documented (no broker needed).</summary>
public sealed class ReadmeSnippetTests
{
    [Fact]
    public async Task QuickStart_Registration_ResolvesCorrelatingClientAndBuildsProcessor()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCorrelation()
            .AddSqsClient(o =>
            {
                o.Region = "eu-west-1";
                o.ServiceUrl = new Uri("http://127.0.0.1:9324");
            });
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var sqs = provider.GetRequiredService<ISqsClient>();
        var propagator = provider.GetRequiredService<CorrelationPropagator>();
        var loggerFactory = provider.GetRequiredService<ILoggerFactory>();
        var processor = new SqsMessageProcessor(sqs, propagator, new SqsProcessorOptions
        {
            QueueUrl = "http://127.0.0.1:9324/000000000000/orders",
            MaxConcurrency = 16,
            FailureVisibilityTimeout = 10,
        }, loggerFactory);

        sqs.ShouldBeOfType<CorrelatingSqsClient>().Propagator.ShouldBeSameAs(propagator);
        provider.GetRequiredService<SqsClient>().Region.ShouldBe("eu-west-1");
        processor.ShouldNotBeNull();
    }
}
