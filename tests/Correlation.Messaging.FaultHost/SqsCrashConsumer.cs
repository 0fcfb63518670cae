using System.Collections.Concurrent;
using System.Globalization;
using Amazon.Runtime;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs;
using Correlation.Messaging.Sqs.Client;

namespace Correlation.Messaging.FaultHost;

/// <summary>
/// An SQS handler process that is meant to be killed mid-batch: it consumes through <see cref="SqsMessageProcessor"/>
/// over a <see cref="CorrelatingSqsClient"/>; handlers of messages whose body ends in <c>.hang</c> never return (so those
/// messages are neither deleted nor released), the others return and are deleted by the processor.
/// </summary>
/// <remarks>
/// Options: <c>--url</c> (service URL), <c>--queue</c> (queue URL), <c>--concurrency N</c> (default 20; at least the
/// number of hanging messages, so the loop keeps receiving), <c>--batch N</c> (MaxNumberOfMessages, default 10).
/// Output, one line each (the IDs are the ambient context inside the handler):
/// <c>ready</c>,
/// <c>received &lt;SQS message ID&gt; &lt;correlation ID&gt; &lt;causation ID or -&gt; &lt;ApproximateReceiveCount&gt; &lt;body&gt;</c>,
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

        using var http = new HttpClient();
        var propagator = new CorrelationPropagator(new CorrelationOptions());
        var raw = new SqsClient(new SqsClientOptions { ServiceUrl = new Uri(url), Region = "us-east-1", Credentials = new BasicAWSCredentials("test", "test") }, http);
        var client = new DeleteReportingClient(new CorrelatingSqsClient(raw, propagator));
        var options = new SqsProcessorOptions { QueueUrl = queue, MaxConcurrency = concurrency, MaxNumberOfMessages = batch, WaitTimeSeconds = 1 };
        options.MessageSystemAttributeNames.Add("ApproximateReceiveCount");
        var processor = new SqsMessageProcessor(client, propagator, options);

        Console.WriteLine("ready");
        await processor.RunAsync(
            async (message, ct) =>
            {
                var context = CorrelationContext.Current!;
                var receiveCount = message.Attributes?.GetValueOrDefault("ApproximateReceiveCount") ?? "?";
                Console.WriteLine($"received {message.MessageId} {context.CorrelationId} {context.CausationId ?? "-"} {receiveCount} {message.Body}");
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

    /// <summary>Reports each successful delete, mapping the receipt handle back to the message it belongs to.</summary>
    private sealed class DeleteReportingClient(ISqsClient inner) : ISqsClient
    {
        private readonly ConcurrentDictionary<string, string> _messageIds = new(StringComparer.Ordinal);

        public async Task<ReceiveMessageResponse> ReceiveMessageAsync(ReceiveMessageRequest request, CancellationToken cancellationToken = default)
        {
            var response = await inner.ReceiveMessageAsync(request, cancellationToken);
            foreach (var message in response.Messages)
            {
                _messageIds[message.ReceiptHandle!] = message.MessageId!;
            }

            return response;
        }

        public async Task DeleteMessageAsync(string queueUrl, string receiptHandle, CancellationToken cancellationToken = default)
        {
            await inner.DeleteMessageAsync(queueUrl, receiptHandle, cancellationToken);
            Console.WriteLine($"deleted {_messageIds.GetValueOrDefault(receiptHandle, "?")}");
        }

        public Task<SendMessageResponse> SendMessageAsync(SendMessageRequest request, CancellationToken cancellationToken = default) =>
            inner.SendMessageAsync(request, cancellationToken);

        public Task<SendMessageBatchResponse> SendMessageBatchAsync(SendMessageBatchRequest request, CancellationToken cancellationToken = default) =>
            inner.SendMessageBatchAsync(request, cancellationToken);

        public Task<DeleteMessageBatchResponse> DeleteMessageBatchAsync(string queueUrl, IEnumerable<DeleteMessageBatchRequestEntry> entries, CancellationToken cancellationToken = default) =>
            inner.DeleteMessageBatchAsync(queueUrl, entries, cancellationToken);

        public Task ChangeMessageVisibilityAsync(string queueUrl, string receiptHandle, int visibilityTimeoutSeconds, CancellationToken cancellationToken = default) =>
            inner.ChangeMessageVisibilityAsync(queueUrl, receiptHandle, visibilityTimeoutSeconds, cancellationToken);

        public Task<string> GetQueueUrlAsync(string queueName, CancellationToken cancellationToken = default) =>
            inner.GetQueueUrlAsync(queueName, cancellationToken);

        public Task<string> CreateQueueAsync(string queueName, IDictionary<string, string>? attributes = null, CancellationToken cancellationToken = default) =>
            inner.CreateQueueAsync(queueName, attributes, cancellationToken);

        public Task<IReadOnlyDictionary<string, string>> GetQueueAttributesAsync(string queueUrl, IEnumerable<string> attributeNames, CancellationToken cancellationToken = default) =>
            inner.GetQueueAttributesAsync(queueUrl, attributeNames, cancellationToken);

        public Task SetQueueAttributesAsync(string queueUrl, IDictionary<string, string> attributes, CancellationToken cancellationToken = default) =>
            inner.SetQueueAttributesAsync(queueUrl, attributes, cancellationToken);
    }
}
