using System.Collections.Concurrent;
using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs.Internal;
using Correlation.Messaging.Sqs.Processing.Internal;
using Correlation.Messaging.Sqs.Propagation;
using Correlation.Messaging.Sqs.Propagation.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Correlation.Messaging.Sqs;

/// <summary>
/// A correlating SQS processing loop on the AWS SDK's <see cref="IAmazonSQS"/>: long-poll, then for each message
/// restore its correlation context, run the handler, and delete the message when the handler succeeds.
/// </summary>
/// <remarks>
/// <para>Each message gets its own correlation scope (and logging scope) on its own task; up to
/// <see cref="SqsProcessorOptions.MaxConcurrency"/> run at once. A receive asks for no more messages than there are
/// free handler slots, so no received message waits for a slot while its visibility timeout runs out.</para>
/// <para>While a handler runs, a heartbeat extends its message's visibility every
/// <see cref="SqsProcessorOptions.HeartbeatInterval"/>, so a handler longer than the visibility timeout does not see
/// its message delivered a second time.</para>
/// <para>When the handler throws, or the message's correlation ID is rejected by policy, the message is not deleted:
/// it stays on the queue for redelivery (and, after the queue's <c>maxReceiveCount</c>, goes to its dead-letter queue),
/// or is made visible after <see cref="SqsProcessorOptions.FailureVisibilityTimeout"/>.</para>
/// <para>Cancellation is graceful: polling stops, running handlers see their token cancelled and are awaited; a
/// message whose handler completes is deleted, and one whose handler gives up is made visible again at once.</para>
/// </remarks>
public sealed class SqsMessageProcessor
{
    private const int DefaultVisibilityTimeout = 30;
    private static readonly TimeSpan MissingQueueFirstPause = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MissingQueueMaxPause = TimeSpan.FromSeconds(30);

    private readonly IAmazonSQS _client;
    private readonly CorrelationPropagator _propagator;
    private readonly SqsProcessorOptions _options;
    private readonly ILogger _logger;
    private readonly List<string> _attributeNames;
    private readonly List<string>? _systemAttributeNames;

    /// <summary>Initializes a new instance of the <see cref="SqsMessageProcessor"/> class.</summary>
    /// <param name="client">The client to receive and delete with; usually the one registered with <c>AddAWSService&lt;IAmazonSQS&gt;()</c>.</param>
    /// <param name="propagator">The propagator.</param>
    /// <param name="options">The options; read once.</param>
    /// <param name="loggerFactory">The logger factory, or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException"><paramref name="options"/> are invalid.</exception>
    public SqsMessageProcessor(IAmazonSQS client, CorrelationPropagator propagator, SqsProcessorOptions options, ILoggerFactory? loggerFactory = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _propagator = propagator ?? throw new ArgumentNullException(nameof(propagator));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        var validation = SqsProcessorOptionsValidator.Instance.Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(SqsProcessorOptions), validation.Failures);
        }

        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(Log.CategoryName);
        _attributeNames = ReceiveNames.Merge([.. options.MessageAttributeNames], SqsCorrelationAttributes.GetAttributeNamesToReceive(propagator))
            ?? [.. options.MessageAttributeNames];
        _systemAttributeNames = options.MessageSystemAttributeNames.Count == 0 ? null : [.. options.MessageSystemAttributeNames];
    }

    /// <summary>
    /// Gets or sets a callback run on the message's own flow after its scope has been disposed (so with nothing
    /// ambient, unless something leaked); a test seam for the contract suite.
    /// </summary>
    internal Action<Message>? MessageFinished { get; set; }

    /// <summary>Runs the loop until <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <param name="handler">Handles one message, with its correlation context ambient. Throw to leave the message for redelivery.</param>
    /// <param name="cancellationToken">Stops the loop gracefully.</param>
    /// <returns>A task that completes when the loop has stopped and running handlers have finished.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is <see langword="null"/>.</exception>
    public async Task RunAsync(Func<Message, CancellationToken, Task> handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        string queueUrl;
        int visibility;
        try
        {
            queueUrl = await ResolveQueueUrlAsync(cancellationToken).ConfigureAwait(false);
            visibility = _options.VisibilityTimeout ?? await ReadVisibilityTimeoutAsync(queueUrl, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        var heartbeat = _options.HeartbeatInterval ?? TimeSpan.FromSeconds(visibility / 3.0);
        var run = new Run(this, handler, queueUrl, SqsTelemetry.QueueName(queueUrl), visibility, heartbeat > TimeSpan.Zero && visibility > 0 ? heartbeat : null);
        Log.ProcessorStarted(_logger, queueUrl, _options.MaxConcurrency, visibility, run.Heartbeat?.TotalSeconds ?? 0);
        await run.PollAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> ResolveQueueUrlAsync(CancellationToken cancellationToken)
    {
        var queue = _options.QueueUrl!;
        if (queue.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || queue.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return queue;
        }

        // A queue named but not created yet (infrastructure deployed after the service, an emulator started empty) is
        // waited for, as the Kafka consumer waits for its topic: the host keeps running and says what it waits for.
        var pause = MissingQueueFirstPause;
        while (true)
        {
            try
            {
                var response = await _client.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = queue }, cancellationToken).ConfigureAwait(false);
                return response.QueueUrl;
            }
            catch (QueueDoesNotExistException)
            {
                Log.QueueNotFound(_logger, queue, pause.TotalSeconds);
            }

            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MissingQueueMaxPause.Ticks));
        }
    }

    private async Task<int> ReadVisibilityTimeoutAsync(string queueUrl, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.GetQueueAttributesAsync(
                new GetQueueAttributesRequest { QueueUrl = queueUrl, AttributeNames = ["VisibilityTimeout"] },
                cancellationToken).ConfigureAwait(false);
            if (response.Attributes is not null && response.Attributes.TryGetValue("VisibilityTimeout", out var text)
                && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return seconds;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.ReceiveFailed(_logger, ex, queueUrl);
        }

        return DefaultVisibilityTimeout;
    }

    /// <summary>One run of the loop: its slots, in-flight handlers and counters.</summary>
    private sealed class Run(
        SqsMessageProcessor owner,
        Func<Message, CancellationToken, Task> handler,
        string queueUrl,
        string queueName,
        int visibility,
        TimeSpan? heartbeat)
    {
        private readonly SemaphoreSlim _slots = new(owner._options.MaxConcurrency, owner._options.MaxConcurrency);
        private readonly ConcurrentDictionary<Task, byte> _inFlight = new();
        private int _released;

        public TimeSpan? Heartbeat => heartbeat;

        public async Task PollAsync(CancellationToken cancellationToken)
        {
            var options = owner._options;
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                    var free = 1;
                    while (free < options.MaxNumberOfMessages && _slots.Wait(0))
                    {
                        free++;
                    }

                    List<Message> messages;
                    try
                    {
                        var response = await owner._client.ReceiveMessageAsync(
                            new ReceiveMessageRequest
                            {
                                QueueUrl = queueUrl,
                                MaxNumberOfMessages = free,
                                WaitTimeSeconds = options.WaitTimeSeconds,
                                VisibilityTimeout = options.VisibilityTimeout,
                                MessageAttributeNames = owner._attributeNames,
                                MessageSystemAttributeNames = owner._systemAttributeNames,
#pragma warning disable CS0618 // Discontinued, but some emulators read only this name; real SQS accepts both.
                                AttributeNames = owner._systemAttributeNames,
#pragma warning restore CS0618
                            },
                            cancellationToken).ConfigureAwait(false);
                        messages = response.Messages ?? [];
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        _slots.Release(free);
                        Log.ReceiveFailed(owner._logger, ex, queueUrl);

                        await Task.Delay(options.ReceiveErrorDelay, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                    catch
                    {
                        _slots.Release(free);
                        throw;
                    }

                    if (free > messages.Count)
                    {
                        _slots.Release(free - messages.Count);
                    }

                    foreach (var message in messages)
                    {
                        if (cancellationToken.IsCancellationRequested)
                        {
                            // Received while stopping: hand it back at once rather than start it.
                            await ReleaseAsync(message).ConfigureAwait(false);
                            _slots.Release();
                            continue;
                        }

                        var task = Task.Run(() => ProcessAsync(message, cancellationToken), CancellationToken.None);
                        _inFlight.TryAdd(task, 0);
                        _ = task.ContinueWith(static (t, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(t, out _), _inFlight, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Graceful stop.
            }
            finally
            {
                await Task.WhenAll(_inFlight.Keys).ConfigureAwait(false);
                Log.ProcessorStopped(owner._logger, queueUrl, Volatile.Read(ref _released));
            }
        }

        private async Task ProcessAsync(Message message, CancellationToken cancellationToken)
        {
            var scope = default(CorrelationScope);
            try
            {
                bool succeeded;
                try
                {
                    scope = SqsCorrelationAttributes.BeginConsumeScope(owner._propagator, message.MessageAttributes, message.MessageId, queueName);
                    var work = handler(message, cancellationToken);
                    if (heartbeat is { } interval)
                    {
                        await WithHeartbeatAsync(work, message, interval).ConfigureAwait(false);
                    }
                    else
                    {
                        await work.ConfigureAwait(false);
                    }

                    succeeded = true;
                }
                catch (Exception ex)
                {
                    Log.MessageHandlingFailed(owner._logger, ex, message.MessageId);
                    succeeded = false;
                }

                if (succeeded)
                {
                    try
                    {
                        await owner._client.DeleteMessageAsync(queueUrl, message.ReceiptHandle, CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        Log.MessageDeleteFailed(owner._logger, ex, message.MessageId);
                    }
                }
                else if (cancellationToken.IsCancellationRequested)
                {
                    await ReleaseAsync(message).ConfigureAwait(false);
                }
                else if (owner._options.FailureVisibilityTimeout is { } timeout)
                {
                    await ChangeVisibilityAsync(message, timeout).ConfigureAwait(false);
                }
            }
            finally
            {
                scope.Dispose();
                owner.MessageFinished?.Invoke(message);
                _slots.Release();
            }
        }

        private async Task WithHeartbeatAsync(Task work, Message message, TimeSpan interval)
        {
            using var stop = new CancellationTokenSource();
            while (true)
            {
                var delay = Task.Delay(interval, stop.Token);
                if (await Task.WhenAny(work, delay).ConfigureAwait(false) == work)
                {
                    await stop.CancelAsync().ConfigureAwait(false);
                    await work.ConfigureAwait(false);
                    return;
                }

                if (await ChangeVisibilityAsync(message, visibility).ConfigureAwait(false))
                {
                    Log.VisibilityExtended(owner._logger, message.MessageId, visibility);
                }
            }
        }

        private async Task ReleaseAsync(Message message)
        {
            if (await ChangeVisibilityAsync(message, 0).ConfigureAwait(false))
            {
                Interlocked.Increment(ref _released);
            }
        }

        private async Task<bool> ChangeVisibilityAsync(Message message, int timeout)
        {
            try
            {
                await owner._client.ChangeMessageVisibilityAsync(queueUrl, message.ReceiptHandle, timeout, CancellationToken.None).ConfigureAwait(false);
                return true;
            }
            catch (Exception ex)
            {
                Log.VisibilityChangeFailed(owner._logger, ex, message.MessageId);
                return false;
            }
        }
    }
}
