using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.SQS;
using Amazon.SQS.Model;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Sqs.Tests.Integration;

[CollectionDefinition(Name)]
public sealed class SqsCollection : ICollectionFixture<SqsFixture>
{
    public const string Name = "sqs";
}

/// <summary>AWS SDK clients for the SQS emulator (<c>SQS_SERVICE_URL</c>, started by <c>eng/brokers.sh up sqs</c>) and queue helpers.</summary>
public sealed class SqsFixture : IDisposable
{
    public const string AccessKey = "test";
    public const string SecretKey = "test";

    private readonly List<IDisposable> _clients = [];
    private AmazonSQSClient? _raw;
    private AmazonSQSClient? _client;
    private AmazonSQSClient? _lenientRaw;

    public SqsFixture()
    {
        SqsCorrelation.Register();
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        Propagator = new CorrelationPropagator(new CorrelationOptions(), LoggerFactory);
    }

    public CapturingLoggerProvider Logs { get; } = new();

    public ILoggerFactory LoggerFactory { get; }

    public CorrelationPropagator Propagator { get; }

    public Uri ServiceUrl => BrokerEndpoints.SqsServiceUrl;

    /// <summary>Gets a plain SDK client (never bound: the correlation handler in its pipeline stays inert).</summary>
    public AmazonSQSClient Raw => _raw ??= NewSdkClient();

    /// <summary>Gets the SDK client bound to <see cref="Propagator"/>, as <c>AddSqs()</c> binds the application's client.</summary>
    public AmazonSQSClient Client => _client ??= NewSdkClient().UseCorrelation(Propagator);

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Gets a plain SDK client without the SDK's MD5 checks, for values only the emulator accepts (see <see cref="NewSdkClient"/>).</summary>
    public AmazonSQSClient LenientRaw => _lenientRaw ??= NewSdkClient(lenientMd5: true);

    /// <summary>Creates a new SDK client for the emulator (dummy credentials and a ServiceURL, as any emulator needs).</summary>
    /// <param name="lenientMd5">
    /// Whether to drop the SDK's MD5 checks: the emulator accepts characters real SQS refuses (NUL, lone surrogates)
    /// and hashes them differently from the SDK, so hostile-input tests that send such values need it.
    /// </param>
    public AmazonSQSClient NewSdkClient(bool lenientMd5 = false)
    {
        var credentials = new BasicAWSCredentials(AccessKey, SecretKey);
        var config = new AmazonSQSConfig { ServiceURL = ServiceUrl.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 2 };
        var client = lenientMd5 ? new LenientSqsClient(credentials, config) : new AmazonSQSClient(credentials, config);
        lock (_clients)
        {
            _clients.Add(client);
        }

        return client;
    }

    /// <summary>Creates a new SDK client bound to <paramref name="propagator"/>.</summary>
    public AmazonSQSClient CreateClient(CorrelationPropagator propagator, bool lenientMd5 = false) => NewSdkClient(lenientMd5).UseCorrelation(propagator);

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
        (await Raw.GetAttributesAsync(queueUrl, ["QueueArn"], Ct))["QueueArn"];

    public async Task<int> CountMessagesAsync(string queueUrl)
    {
        var attributes = await Raw.GetAttributesAsync(queueUrl, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"], Ct);
        return int.Parse(attributes["ApproximateNumberOfMessages"]) + int.Parse(attributes["ApproximateNumberOfMessagesNotVisible"]);
    }

    /// <summary>Receives (all attributes) and deletes until <paramref name="expected"/> messages arrived or the timeout passed.</summary>
    public async Task<List<Message>> DrainAsync(string queueUrl, int expected, TimeSpan? timeout = null, bool lenientMd5 = false)
    {
        var raw = lenientMd5 ? LenientRaw : Raw;
        var result = new List<Message>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (result.Count < expected && DateTime.UtcNow < deadline)
        {
            var response = await raw.ReceiveMessageAsync(
                new ReceiveMessageRequest
                {
                    QueueUrl = queueUrl,
                    MaxNumberOfMessages = 10,
                    WaitTimeSeconds = 1,
                    MessageAttributeNames = ["All"],
                    MessageSystemAttributeNames = ["All"],
#pragma warning disable CS0618 // The emulator reads only the older name.
                    AttributeNames = ["All"],
#pragma warning restore CS0618
                },
                Ct);
            foreach (var message in response.Messages ?? [])
            {
                result.Add(message);
                await raw.DeleteMessageAsync(queueUrl, message.ReceiptHandle, Ct);
            }
        }

        return result;
    }

    /// <summary>Runs a processor until <paramref name="done"/> holds (or 60 s pass), then stops it gracefully.</summary>
    public async Task<bool> RunProcessorUntilAsync(
        string queueUrl,
        Func<Message, CancellationToken, Task> handler,
        Func<bool> done,
        int maxConcurrency = 1,
        int? failureVisibilityTimeout = null,
        CorrelationPropagator? propagator = null,
        IAmazonSQS? client = null,
        Action<SqsProcessorOptions>? configure = null)
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
        configure?.Invoke(options);
        var processor = new SqsMessageProcessor(client ?? Client, propagator ?? Propagator, options, LoggerFactory);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = processor.RunAsync(handler, stop.Token);
        var reached = await Eventually.TrueAsync(() => done() || run.IsCompleted, TimeSpan.FromSeconds(60), Ct);
        await stop.CancelAsync();
        await run;
        return reached && done();
    }

    /// <summary>An SDK client without the SDK's MD5 validation handler.</summary>
    private sealed class LenientSqsClient(AWSCredentials credentials, AmazonSQSConfig config) : AmazonSQSClient(credentials, config)
    {
        protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
        {
            base.CustomizeRuntimePipeline(pipeline);
            pipeline.RemoveHandler<Amazon.SQS.Internal.ValidationResponseHandler>();
        }
    }

    public void Dispose()
    {
        lock (_clients)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }

        LoggerFactory.Dispose();
    }
}
