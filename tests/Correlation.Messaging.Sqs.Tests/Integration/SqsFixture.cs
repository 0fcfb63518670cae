using Amazon.Runtime;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs.Client;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Sqs.Tests.Integration;

[CollectionDefinition(Name)]
public sealed class SqsCollection : ICollectionFixture<SqsFixture>
{
    public const string Name = "sqs";
}

/// <summary>Clients for the SQS emulator (<c>SQS_SERVICE_URL</c>, started by <c>eng/brokers.sh up sqs</c>) and queue helpers.</summary>
public sealed class SqsFixture : IDisposable
{
    public const string AccessKey = "test";
    public const string SecretKey = "test";

    private readonly HttpClient _http = new();
    private SqsClient? _raw;
    private CorrelatingSqsClient? _client;

    public SqsFixture()
    {
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        Propagator = new CorrelationPropagator(new CorrelationOptions(), LoggerFactory);
    }

    public CapturingLoggerProvider Logs { get; } = new();

    public ILoggerFactory LoggerFactory { get; }

    public CorrelationPropagator Propagator { get; }

    public Uri ServiceUrl => BrokerEndpoints.SqsServiceUrl;

    /// <summary>Gets the plain client (no propagation); skips or fails the test when the emulator is not configured.</summary>
    public SqsClient Raw => _raw ??= new SqsClient(
        new SqsClientOptions { ServiceUrl = ServiceUrl, Region = "us-east-1", Credentials = new BasicAWSCredentials(AccessKey, SecretKey) },
        _http,
        LoggerFactory);

    public CorrelatingSqsClient Client => _client ??= new CorrelatingSqsClient(Raw, Propagator);

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public Task<string> CreateQueueAsync(string prefix, Dictionary<string, string>? attributes = null, bool fifo = false)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 75)] + (fifo ? ".fifo" : string.Empty);
        if (fifo)
        {
            attributes ??= [];
            attributes["FifoQueue"] = "true";
        }

        return Raw.CreateQueueAsync(name, attributes, Ct);
    }

    public async Task<string> GetQueueArnAsync(string queueUrl) =>
        (await Raw.GetQueueAttributesAsync(queueUrl, ["QueueArn"], Ct))["QueueArn"];

    public async Task<int> CountMessagesAsync(string queueUrl)
    {
        var attributes = await Raw.GetQueueAttributesAsync(queueUrl, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"], Ct);
        return int.Parse(attributes["ApproximateNumberOfMessages"]) + int.Parse(attributes["ApproximateNumberOfMessagesNotVisible"]);
    }

    /// <summary>Receives (all attributes) and deletes until <paramref name="expected"/> messages arrived or the timeout passed.</summary>
    public async Task<List<SqsMessage>> DrainAsync(string queueUrl, int expected, TimeSpan? timeout = null)
    {
        var result = new List<SqsMessage>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (result.Count < expected && DateTime.UtcNow < deadline)
        {
            var response = await Raw.ReceiveMessageAsync(
                new ReceiveMessageRequest
                {
                    QueueUrl = queueUrl,
                    MaxNumberOfMessages = 10,
                    WaitTimeSeconds = 1,
                    MessageAttributeNames = ["All"],
                    MessageSystemAttributeNames = ["All"],
                    AttributeNames = ["All"],
                },
                Ct);
            foreach (var message in response.Messages)
            {
                result.Add(message);
                await Raw.DeleteMessageAsync(queueUrl, message.ReceiptHandle!, Ct);
            }
        }

        return result;
    }

    /// <summary>Runs a processor until <paramref name="done"/> holds (or 60 s pass), then stops it gracefully.</summary>
    public async Task<bool> RunProcessorUntilAsync(
        string queueUrl,
        Func<SqsMessage, CancellationToken, Task> handler,
        Func<bool> done,
        int maxConcurrency = 1,
        int? failureVisibilityTimeout = null,
        CorrelationPropagator? propagator = null,
        ISqsClient? client = null)
    {
        var options = new SqsProcessorOptions
        {
            QueueUrl = queueUrl,
            WaitTimeSeconds = 1,
            MaxConcurrency = maxConcurrency,
            FailureVisibilityTimeout = failureVisibilityTimeout,
            ReceiveErrorDelay = TimeSpan.FromMilliseconds(100),
        };
        options.MessageSystemAttributeNames.Add("ApproximateReceiveCount");
        var processor = new SqsMessageProcessor(client ?? Client, propagator ?? Propagator, options, LoggerFactory);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = processor.RunAsync(handler, stop.Token);
        var reached = await Eventually.TrueAsync(() => done() || run.IsCompleted, TimeSpan.FromSeconds(60), Ct);
        await stop.CancelAsync();
        await run;
        return reached && done();
    }

    public void Dispose()
    {
        LoggerFactory.Dispose();
        _http.Dispose();
    }
}
