using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.SQS;
using Amazon.SQS.Model;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Snippets;

/// <summary>The snippets of src/Correlation.Messaging.Sqs/README.md.</summary>
internal static class SqsSnippets
{
    public static void QuickStart(WebApplicationBuilder builder)
    {
        #region sqs-quick-start
        builder.Services.AddAWSService<IAmazonSQS>();       // your SQS client, as before (AWSSDK.Extensions.NETCore.Setup)
        builder.Services.AddCorrelation().AddSqs();          // after it: that client now carries correlation

        // A consumer, as a hosted service: long-poll → restore the ID → handler (one DI scope per message) → delete on success.
        builder.Services.AddCorrelation().AddSqsProcessor<OrderPlacedHandler>("orders", o =>
        {
            o.MaxConcurrency = 16;
            o.FailureVisibilityTimeout = 10;                  // optional: retry a failed message after 10 s
        });
        #endregion
    }

    public static async Task ReceiveLoop(IAmazonSQS sqs, ReceiveMessageRequest request, CorrelationPropagator propagator, CancellationToken ct)
    {
        #region sqs-receive-loop
        foreach (var message in (await sqs.ReceiveMessageAsync(request, ct)).Messages ?? [])
        {
            using var scope = message.BeginCorrelationScope(propagator);
            await HandleAsync(message, ct);
        }
        #endregion

        static Task HandleAsync(Message message, CancellationToken ct) => Task.CompletedTask;
    }

    public static void Emulator(WebApplicationBuilder builder)
    {
        #region sqs-emulator
        builder.Services.AddDefaultAWSOptions(new AWSOptions
        {
            Credentials = new BasicAWSCredentials("test", "test"),
            DefaultClientConfig = { ServiceURL = "http://127.0.0.1:9324", AuthenticationRegion = "us-east-1" },
        });
        #endregion
    }

    public static IAmazonSQS WithoutDependencyInjection(AmazonSQSConfig config, CorrelationPropagator propagator)
    {
        #region sqs-without-di
        SqsCorrelation.Register();                                       // once, before the client is created
        var sqs = new AmazonSQSClient(config).UseCorrelation(propagator); // this client, and only this one, is correlating
        #endregion
        return sqs;
    }

    #region sqs-handler
    internal sealed class OrderPlacedHandler(IAmazonSQS sqs, ILogger<OrderPlacedHandler> logger) : ISqsMessageHandler
    {
        private const string ShippingQueueUrl = "https://sqs.us-east-1.amazonaws.com/123456789012/shipping";

        public async Task HandleAsync(Message message, CancellationToken cancellationToken)
        {
            logger.LogInformation("handling {Body}", message.Body);                  // logged with correlation_id, causation_id, message_id
            await sqs.SendMessageAsync(ShippingQueueUrl, "...", cancellationToken);  // plain SDK call: same ID, causation = message.MessageId
        }
    }
    #endregion

    /// <summary>A client that correlates with no process-wide registration (the propagator is captured before the base constructor runs).</summary>
    internal sealed class CorrelatingSqsClient(AmazonSQSConfig config, CorrelationPropagator propagator) : AmazonSQSClient(config)
    {
        #region sqs-client-subclass
        protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
        {
            base.CustomizeRuntimePipeline(pipeline);
            SqsCorrelation.AddTo(pipeline, propagator, this);
        }
        #endregion
    }
}
