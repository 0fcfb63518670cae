using Amazon.SQS;
using Amazon.SQS.Model;
using Correlation.Messaging.Propagation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Correlation.Messaging.Sqs.Processing.Internal;

/// <summary>Runs one <see cref="SqsMessageProcessor"/> for the host's lifetime; each message gets a new DI scope and its own <typeparamref name="THandler"/>.</summary>
internal sealed class SqsProcessorHostedService<THandler>(IServiceProvider services, string optionsName) : BackgroundService
    where THandler : class, ISqsMessageHandler
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = services.GetRequiredService<IOptionsMonitor<SqsProcessorOptions>>().Get(optionsName);
        var processor = new SqsMessageProcessor(
            services.GetRequiredService<IAmazonSQS>(),
            services.GetRequiredService<CorrelationPropagator>(),
            options,
            services.GetService<ILoggerFactory>());
        return processor.RunAsync(HandleAsync, stoppingToken);
    }

    private async Task HandleAsync(Message message, CancellationToken cancellationToken)
    {
        var scope = services.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            await scope.ServiceProvider.GetRequiredService<THandler>().HandleAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }
}
