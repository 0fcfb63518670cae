using System.Collections.Concurrent;
using System.Globalization;
using Amazon.Runtime;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs;
using Amazon.Runtime.Internal;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace Correlation.Messaging.FaultHost;

/// <summary>
/// An SQS handler process that is meant to be killed mid-batch: it consumes through <see cref="SqsMessageProcessor"/>
/// over an SDK client with the correlation pipeline handler; handlers of messages whose body ends in <c>.hang</c> never return (so those
/// messages are neither deleted nor released), the others return and are deleted by the processor.
/// </summary>
/// <remarks>
/// Options: <c>--url</c> (service URL), <c>--queue</c> (queue URL), <c>--concurrency N</c> (default 20; at least the
/// number of hanging messages, so the loop keeps receiving), <c>--batch N</c> (MaxNumberOfMessages, default 10).
/// Output, one line each (the IDs are the ambient context inside the handler):
/// <c>ready</c>,
/// <c>received &lt;SQS message ID&gt; &lt;correlation ID&gt; &lt;causation ID or -&gt; &lt;ApproximateReceiveCount&gt; &lt;body&gt; &lt;receipt handle&gt;</c>,
/// <c>handled &lt;SQS message ID&gt;</c> (handler returned), <c>deleted &lt;SQS message ID&gt;</c> (the processor's
/// DeleteMessage call succeeded).
/// </remarks>
internal static class SqsCrashConsumer
{
    public static async Task<int> RunAsync(string[] args)
    {
        var url = Option(args, "--url");
        var queue = Option(args, "--queue");
        var concurrency = int.Parse(Option(args, "--concurrency", "20"), CultureInfo.InvariantCulture);
        var batch = int.Parse(Option(args, "--batch", "10"), CultureInfo.InvariantCulture);

        var propagator = new CorrelationPropagator(new CorrelationOptions());
        using var client = new ReportingSqsClient(url, propagator);
        var options = new SqsProcessorOptions { QueueUrl = queue, MaxConcurrency = concurrency, MaxNumberOfMessages = batch, WaitTimeSeconds = 1 };
        options.MessageSystemAttributeNames.Add("ApproximateReceiveCount");
        var processor = new SqsMessageProcessor(client, propagator, options);

        Console.WriteLine("ready");
        await processor.RunAsync(
            async (message, ct) =>
            {
                var context = CorrelationContext.Current!;
                var receiveCount = message.Attributes?.GetValueOrDefault("ApproximateReceiveCount") ?? "?";
                Console.WriteLine($"received {message.MessageId} {context.CorrelationId} {context.CausationId ?? "-"} {receiveCount} {message.Body} {message.ReceiptHandle}");
                if (message.Body?.EndsWith(".hang", StringComparison.Ordinal) == true)
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }

                Console.WriteLine($"handled {message.MessageId}");
            },
            CancellationToken.None);
        return 0;
    }

    private static string Option(string[] args, string name, string? fallback = null)
    {
        var i = Array.IndexOf(args, name);
        if (i >= 0 && i + 1 < args.Length)
        {
            return args[i + 1];
        }

        return fallback ?? throw new ArgumentException($"missing option {name}");
    }

    /// <summary>
    /// An SDK client whose pipeline carries the correlation handler (added by the subclass hook, with no process-wide
    /// registration) and a handler that reports each successful delete, mapping the receipt handle back to its message.
    /// </summary>
    private sealed class ReportingSqsClient(string serviceUrl, CorrelationPropagator propagator)
        : AmazonSQSClient(new BasicAWSCredentials("test", "test"), new AmazonSQSConfig { ServiceURL = serviceUrl, AuthenticationRegion = "us-east-1" })
    {
        protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
        {
            base.CustomizeRuntimePipeline(pipeline);
            SqsCorrelation.AddTo(pipeline, propagator, this);
            pipeline.AddHandler(new DeleteReporter());
        }
    }

    private sealed class DeleteReporter : PipelineHandler
    {
        private readonly ConcurrentDictionary<string, string> _messageIds = new(StringComparer.Ordinal);

        public override async Task<T> InvokeAsync<T>(IExecutionContext executionContext)
        {
            var response = await base.InvokeAsync<T>(executionContext);
            switch (executionContext.RequestContext.OriginalRequest)
            {
                case ReceiveMessageRequest when response is ReceiveMessageResponse { Messages: { } messages }:
                    foreach (var message in messages)
                    {
                        _messageIds[message.ReceiptHandle] = message.MessageId;
                    }

                    break;
                case DeleteMessageRequest delete:
                    Console.WriteLine($"deleted {_messageIds.GetValueOrDefault(delete.ReceiptHandle, "?")}");
                    break;
            }

            return response;
        }
    }
}
