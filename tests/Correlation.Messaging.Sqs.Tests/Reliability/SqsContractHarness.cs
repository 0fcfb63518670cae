using System.Collections.Concurrent;
using Correlation.Messaging.Contracts;
using Correlation.Messaging.Propagation;
using Amazon.SQS;
using Amazon.SQS.Model;
using Correlation.Messaging.Sqs.Tests.Integration;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Sqs.Tests.Reliability;

/// <summary>
/// The contract harness on SQS: three queues of its own (inbound, downstream, dead-letter), a plain SDK client as the
/// foreign sender and raw reader, and an <see cref="SqsMessageProcessor"/> over an SDK client bound to the harness's
/// propagator, whose handler sends downstream through that same client.
/// </summary>
/// <remarks>
/// <para>
/// The failure path is the one the package documents: a message whose handler fails (or whose ID the policy rejects)
/// is not deleted, comes back after the inbound queue's visibility timeout (1 s here), and after
/// <c>maxReceiveCount</c> receives the queue's redrive policy moves it to the dead-letter queue.
/// <see cref="ReachedFailurePathAsync"/> reads the dead-letter queue with the raw client, so it proves the message is there.
/// </para>
/// <para>
/// The visibility timeout is longer than the processor's long-poll wait (1 s) because the emulator's long poll keeps
/// collecting until it has <c>MaxNumberOfMessages</c> or the wait ends, so a message whose visibility expires inside
/// that window comes back in the same response; real SQS returns as soon as it has messages.
/// <c>maxReceiveCount</c> is 2, not 1: the emulator also moves a message to the dead-letter queue when it was deleted on
/// its <c>maxReceiveCount</c>-th receive (its visibility timer is not cancelled by DeleteMessage), which real SQS does not do.
/// </para>
/// <para>
/// SQS has no native correlation property: a <see cref="RawHeader.NativeCorrelationId"/> header is dropped, as no
/// foreign SQS producer could set one. A <see langword="null"/> value is dropped too (SQS attributes cannot be null);
/// a string becomes a <c>String</c> attribute, a byte array a <c>Binary</c> one, an integer a <c>Number</c> one.
/// </para>
/// </remarks>
public sealed class SqsContractHarness : IBrokerContractHarness
{
    private const int VisibilityTimeoutSeconds = 3;
    private const int MaxReceiveCount = 2;

    private readonly AmazonSQSClient _raw;
    private readonly ILoggerFactory _loggerFactory;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, byte> _deadLettered = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<CorrelationContext?> _afterHandler = new();
    private Task? _run;

    private SqsContractHarness(SqsFixture fixture, CorrelationOptions options, string inbound, string downstream, string deadLetter)
    {
        _raw = fixture.Raw;
        Logs = new CapturingLoggerProvider();
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        Propagator = new CorrelationPropagator(options, _loggerFactory);
        Client = fixture.CreateClient(Propagator);
        InboundQueue = inbound;
        DownstreamQueue = downstream;
        DeadLetterQueue = deadLetter;
    }

    /// <inheritdoc />
    public string Broker => "SQS";

    /// <inheritdoc />
    public CapturingLoggerProvider Logs { get; }

    /// <inheritdoc />
    public IReadOnlyCollection<CorrelationContext?> ContextsAfterHandler => _afterHandler;

    /// <summary>Gets the propagator of the processor and the downstream sends.</summary>
    public CorrelationPropagator Propagator { get; }

    /// <summary>Gets the correlating client the processor receives with and the handler sends with.</summary>
    public AmazonSQSClient Client { get; }

    /// <summary>Gets the queue the raw sender writes and the processor reads.</summary>
    public string InboundQueue { get; }

    /// <summary>Gets the queue the handler's downstream messages go to.</summary>
    public string DownstreamQueue { get; }

    /// <summary>Gets the dead-letter queue of <see cref="InboundQueue"/>.</summary>
    public string DeadLetterQueue { get; }

    /// <summary>Creates the three queues (unique names starting with <paramref name="prefix"/>) and the harness.</summary>
    public static async Task<SqsContractHarness> CreateAsync(SqsFixture fixture, CorrelationOptions options, string prefix, CancellationToken cancellationToken)
    {
        var raw = fixture.Raw;
        var name = $"{prefix}-{Guid.NewGuid():N}";
        var deadLetter = await raw.CreateQueueAsync(name + "-dlq", null, cancellationToken);
        var arn = (await raw.GetAttributesAsync(deadLetter, ["QueueArn"], cancellationToken))["QueueArn"];
        var inbound = await raw.CreateQueueAsync(
            name,
            new Dictionary<string, string>
            {
                ["VisibilityTimeout"] = VisibilityTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["RedrivePolicy"] = $$"""{"maxReceiveCount":"{{MaxReceiveCount}}","deadLetterTargetArn":"{{arn}}"}""",
            },
            cancellationToken);
        var downstream = await raw.CreateQueueAsync(name + "-down", null, cancellationToken);
        return new SqsContractHarness(fixture, options, inbound, downstream, deadLetter);
    }

    /// <inheritdoc />
    public Task StartConsumerAsync(Func<HandlerCall, Task> handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (_run is not null)
        {
            throw new InvalidOperationException("The consumer is already running.");
        }

        var options = new SqsProcessorOptions
        {
            QueueUrl = InboundQueue,
            WaitTimeSeconds = 1,
            MaxConcurrency = 4,
            ReceiveErrorDelay = TimeSpan.FromMilliseconds(100),
        };
        var processor = new SqsMessageProcessor(Client, Propagator, options, _loggerFactory)
        {
            // On the processor's own flow, after the message's scope was disposed: what is ambient there now.
            MessageFinished = _ => _afterHandler.Enqueue(CorrelationContext.Current),
        };
        _run = processor.RunAsync(
            (message, ct) => handler(new HandlerCall(
                message.Body ?? string.Empty,
                message.MessageId,
                body => Client.SendMessageAsync(new SendMessageRequest { QueueUrl = DownstreamQueue, MessageBody = body }, ct))),
            _stop.Token);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task SendRawAsync(string body, IReadOnlyList<RawHeader> headers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var attributes = new Dictionary<string, MessageAttributeValue>(StringComparer.Ordinal);
        foreach (var header in headers)
        {
            var value = header.Value switch
            {
                _ when header.Name == RawHeader.NativeCorrelationId => null,
                string text => Attr.String(text),
                byte[] bytes => new MessageAttributeValue { DataType = "Binary", BinaryValue = new MemoryStream(bytes) },
                int number => new MessageAttributeValue { DataType = "Number", StringValue = number.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                null => null,
                var other => throw new ArgumentException($"SQS cannot carry a {other.GetType().Name} attribute", nameof(headers)),
            };
            if (value is not null)
            {
                attributes[header.Name] = value;
            }
        }

        await _raw.SendMessageAsync(new SendMessageRequest { QueueUrl = InboundQueue, MessageBody = body, MessageAttributes = attributes }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ObservedMessage>> ReadDownstreamAsync(int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = new List<ObservedMessage>();
        var deadline = DateTime.UtcNow + timeout;
        while (result.Count < count && DateTime.UtcNow < deadline)
        {
            foreach (var message in await ReceiveAllAsync(DownstreamQueue, cancellationToken))
            {
                result.Add(new ObservedMessage(
                    message.Body ?? string.Empty,
                    message.MessageAttributes?.GetValueOrDefault(Propagator.HeaderName)?.StringValue,
                    message.MessageAttributes?.GetValueOrDefault(Propagator.CausationHeaderName)?.StringValue,
                    message.MessageId));
            }
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<bool> ReachedFailurePathAsync(string body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!_deadLettered.ContainsKey(body) && DateTime.UtcNow < deadline)
        {
            foreach (var message in await ReceiveAllAsync(DeadLetterQueue, cancellationToken))
            {
                _deadLettered.TryAdd(message.Body ?? string.Empty, 0);
            }
        }

        return _deadLettered.ContainsKey(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run;
        }

        _stop.Dispose();
        _loggerFactory.Dispose();
    }

    /// <summary>Receives one batch with every attribute, deleting what it received.</summary>
    private async Task<List<Message>> ReceiveAllAsync(string queue, CancellationToken cancellationToken)
    {
        var response = await _raw.ReceiveMessageAsync(
            new ReceiveMessageRequest { QueueUrl = queue, MaxNumberOfMessages = 10, WaitTimeSeconds = 1, MessageAttributeNames = ["All"] },
            cancellationToken);
        var messages = response.Messages ?? [];
        foreach (var message in messages)
        {
            await _raw.DeleteMessageAsync(queue, message.ReceiptHandle, cancellationToken);
        }

        return messages;
    }
}
