using System.Threading.Channels;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs.Client;
using Correlation.Messaging.Sqs.Internal;
using Correlation.Messaging.Sqs.Propagation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Correlation.Messaging.Sqs;

/// <summary>
/// A correlating SQS processing loop: long-poll, then for each message restore its correlation context, run the
/// handler, and delete the message when the handler succeeds.
/// </summary>
/// <remarks>
/// <para>When the handler throws, or the message's correlation ID is rejected by policy, the message is not deleted:
/// it stays on the queue for redelivery (and, after the queue's <c>maxReceiveCount</c>, goes to its dead-letter queue),
/// or is made visible after <see cref="SqsProcessorOptions.FailureVisibilityTimeout"/>. The context is cleared after
/// every message either way.</para>
/// <para>Cancellation is graceful: polling stops, handlers already running finish (their token is cancelled),
/// and messages received but not started are made visible again at once.</para>
/// </remarks>
public sealed class SqsMessageProcessor
{
    private readonly ISqsClient _client;
    private readonly CorrelationPropagator _propagator;
    private readonly SqsProcessorOptions _options;
    private readonly string _queueUrl;
    private readonly string _queueName;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="SqsMessageProcessor"/> class.</summary>
    /// <param name="client">The client to receive and delete with.</param>
    /// <param name="propagator">The propagator.</param>
    /// <param name="options">The options; read once.</param>
    /// <param name="loggerFactory">The logger factory, or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><see cref="SqsProcessorOptions.QueueUrl"/> is empty, or a number is out of range.</exception>
    public SqsMessageProcessor(ISqsClient client, CorrelationPropagator propagator, SqsProcessorOptions options, ILoggerFactory? loggerFactory = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _propagator = propagator ?? throw new ArgumentNullException(nameof(propagator));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        ArgumentException.ThrowIfNullOrEmpty(options.QueueUrl, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxNumberOfMessages, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxNumberOfMessages, 10, nameof(options));
        _queueUrl = options.QueueUrl;
        _queueName = SqsTelemetry.QueueName(options.QueueUrl);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(Log.CategoryName);
    }

    /// <summary>Runs the loop until <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <param name="handler">Handles one message, with its correlation context ambient. Throw to leave the message for redelivery.</param>
    /// <param name="cancellationToken">Stops the loop gracefully.</param>
    /// <returns>A task that completes when the loop has stopped and running handlers have finished.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is <see langword="null"/>.</exception>
    public async Task RunAsync(Func<SqsMessage, CancellationToken, Task> handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var channel = Channel.CreateBounded<SqsMessage>(new BoundedChannelOptions(_options.MaxConcurrency)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        var workers = new Task<int>[_options.MaxConcurrency];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(() => WorkAsync(channel.Reader, handler, cancellationToken), CancellationToken.None);
        }

        var request = new ReceiveMessageRequest
        {
            QueueUrl = _queueUrl,
            MaxNumberOfMessages = _options.MaxNumberOfMessages,
            WaitTimeSeconds = _options.WaitTimeSeconds,
            VisibilityTimeout = _options.VisibilityTimeout,
            MessageAttributeNames = SqsCorrelationAttributes.AddAttributeNamesToReceive(_propagator, _options.MessageAttributeNames),
            MessageSystemAttributeNames = _options.MessageSystemAttributeNames.Count == 0 ? null : [.. _options.MessageSystemAttributeNames],
            AttributeNames = _options.MessageSystemAttributeNames.Count == 0 ? null : [.. _options.MessageSystemAttributeNames],
        };

        var released = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                ReceiveMessageResponse response;
                try
                {
                    response = await _client.ReceiveMessageAsync(request, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Log.ReceiveFailed(_logger, ex, _queueUrl);
                    await Task.Delay(_options.ReceiveErrorDelay, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                for (var i = 0; i < response.Messages.Count; i++)
                {
                    if (!channel.Writer.TryWrite(response.Messages[i]))
                    {
                        try
                        {
                            await channel.Writer.WriteAsync(response.Messages[i], cancellationToken).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                        {
                            for (var j = i; j < response.Messages.Count; j++)
                            {
                                await ReleaseAsync(response.Messages[j]).ConfigureAwait(false);
                                released++;
                            }

                            throw;
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Graceful stop.
        }
        finally
        {
            channel.Writer.TryComplete();
            foreach (var count in await Task.WhenAll(workers).ConfigureAwait(false))
            {
                released += count;
            }

            Log.ProcessorStopped(_logger, _queueUrl, released);
        }
    }

    private async Task<int> WorkAsync(ChannelReader<SqsMessage> reader, Func<SqsMessage, CancellationToken, Task> handler, CancellationToken cancellationToken)
    {
        var released = 0;
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (reader.TryRead(out var message))
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    await ReleaseAsync(message).ConfigureAwait(false);
                    released++;
                    continue;
                }

                await ProcessAsync(message, handler, cancellationToken).ConfigureAwait(false);
            }
        }

        return released;
    }

    private async Task ProcessAsync(SqsMessage message, Func<SqsMessage, CancellationToken, Task> handler, CancellationToken cancellationToken)
    {
        var scope = default(CorrelationScope);
        try
        {
            bool succeeded;
            try
            {
                scope = SqsCorrelationAttributes.BeginConsumeScope<MessageAttributeValue, MessageAttributeValueAccessor>(
                    _propagator, message.MessageAttributes, message.MessageId, _queueName);
                await handler(message, cancellationToken).ConfigureAwait(false);
                succeeded = true;
            }
            catch (Exception ex)
            {
                Log.MessageHandlingFailed(_logger, ex, message.MessageId);
                succeeded = false;
            }

            if (succeeded)
            {
                try
                {
                    await _client.DeleteMessageAsync(_queueUrl, message.ReceiptHandle!, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    Log.MessageDeleteFailed(_logger, ex, message.MessageId);
                }
            }
            else if (_options.FailureVisibilityTimeout is { } timeout)
            {
                await ChangeVisibilityAsync(message, timeout).ConfigureAwait(false);
            }
        }
        finally
        {
            scope.Dispose();
        }
    }

    private Task ReleaseAsync(SqsMessage message) => ChangeVisibilityAsync(message, 0);

    private async Task ChangeVisibilityAsync(SqsMessage message, int timeout)
    {
        try
        {
            await _client.ChangeMessageVisibilityAsync(_queueUrl, message.ReceiptHandle!, timeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.VisibilityChangeFailed(_logger, ex, message.MessageId);
        }
    }
}
