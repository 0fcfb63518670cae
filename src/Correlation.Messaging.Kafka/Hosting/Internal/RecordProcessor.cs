using System.Text;
using Confluent.Kafka;
using Correlation.Messaging.Kafka.Internal;
using Correlation.Messaging.Propagation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Kafka.Hosting.Internal;

/// <summary>What a partition worker runs for each record.</summary>
internal interface IRecordProcessor<TKey, TValue>
{
    /// <summary>Handles (or dead-letters) one record; returns <see langword="false"/> when it may not be committed.</summary>
    Task<bool> ProcessAsync(PartitionWork<TKey, TValue> work, CancellationToken stoppingToken);
}

/// <summary>
/// One record's life in the hosted consumer: its correlation scope, the handler from a new DI scope per attempt, the
/// retries, and the dead-letter topic.
/// </summary>
internal sealed class RecordProcessor<TKey, TValue, THandler> : IRecordProcessor<TKey, TValue>, IDisposable
    where THandler : class, IKafkaHandler<TKey, TValue>
{
    /// <summary>The header naming the record's origin (<c>topic:partition:offset</c>) on a dead-lettered record.</summary>
    internal const string SourceHeader = "X-Dead-Letter-Source";

    /// <summary>The header with the failure (exception type and message, at most 512 characters) on a dead-lettered record.</summary>
    internal const string ReasonHeader = "X-Dead-Letter-Reason";

    private const int MaxReasonLength = 512;

    private readonly KafkaConsumerRegistration<TKey, TValue> _registration;
    private readonly KafkaConsumerOptions _options;
    private readonly IServiceScopeFactory _scopes;
    private readonly CorrelationPropagator _propagator;
    private readonly ILogger _logger;
    private readonly Action _unrecoverable;
    private readonly Lazy<IProducer<TKey, TValue>>? _deadLetters;
    private readonly Lazy<IProducer<byte[], byte[]>>? _rawDeadLetters;

    public RecordProcessor(
        KafkaConsumerRegistration<TKey, TValue> registration,
        KafkaConsumerOptions options,
        IServiceScopeFactory scopes,
        CorrelationPropagator propagator,
        ILogger logger,
        Action unrecoverable)
    {
        _registration = registration;
        _options = options;
        _scopes = scopes;
        _propagator = propagator;
        _logger = logger;
        _unrecoverable = unrecoverable;
        if (options.DeadLetterTopic is not null)
        {
            _deadLetters = new(registration.BuildDeadLetterProducer);
            _rawDeadLetters = new(registration.BuildRawDeadLetterProducer);
        }
    }

    public async Task<bool> ProcessAsync(PartitionWork<TKey, TValue> work, CancellationToken stoppingToken)
    {
        if (work.Record is not { } record)
        {
            var raw = work.Undeserializable!.ConsumerRecord;
            using (Enter(raw))
            {
                return await DeadLetterAsync(raw, _rawDeadLetters, work.Undeserializable, attempts: 0).ConfigureAwait(false);
            }
        }

        CorrelationScope scope;
        try
        {
            scope = record.BeginCorrelationScope(_propagator);
        }
        catch (CorrelationIdRejectedException ex)
        {
            // Rejected by policy (already logged by the propagator): no attempt can succeed, so no retry.
            return await DeadLetterAsync(record, _deadLetters, ex, attempts: 0).ConfigureAwait(false);
        }

        using (scope)
        {
            var attempts = _options.MaxRetries + 1;
            var delay = _options.RetryDelay;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var handlerScope = _scopes.CreateAsyncScope();
                    await using (handlerScope.ConfigureAwait(false))
                    {
                        var handler = handlerScope.ServiceProvider.GetRequiredService<THandler>();
                        await handler.HandleAsync(record, stoppingToken).ConfigureAwait(false);
                    }

                    return true;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return false; // shutting down: not committed, read again by the next owner
                }
#pragma warning disable CA1031 // a handler's failure of any kind is retried, then dead-lettered
                catch (Exception ex) when (attempt < attempts)
#pragma warning restore CA1031
                {
                    Log.HandlerRetrying(_logger, ex, record.TopicPartitionOffset.ToString(), attempt, attempts, (long)delay.TotalMilliseconds);
                    try
                    {
                        await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return false;
                    }

                    delay += delay;
                }
#pragma warning disable CA1031
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    return await DeadLetterAsync(record, _deadLetters, ex, attempts).ConfigureAwait(false);
                }
            }
        }
    }

    public void FlushDeadLetters()
    {
        if (_deadLetters is { IsValueCreated: true })
        {
            _deadLetters.Value.Flush(TimeSpan.FromSeconds(10));
        }

        if (_rawDeadLetters is { IsValueCreated: true })
        {
            _rawDeadLetters.Value.Flush(TimeSpan.FromSeconds(10));
        }
    }

    public void Dispose()
    {
        if (_deadLetters is { IsValueCreated: true })
        {
            _deadLetters.Value.Dispose();
        }

        if (_rawDeadLetters is { IsValueCreated: true })
        {
            _rawDeadLetters.Value.Dispose();
        }
    }

    private CorrelationScope Enter(ConsumeResult<byte[], byte[]> raw)
    {
        try
        {
            return raw.BeginCorrelationScope(_propagator);
        }
        catch (CorrelationIdRejectedException)
        {
            return default;
        }
    }

    private async Task<bool> DeadLetterAsync<TK, TV>(ConsumeResult<TK, TV> record, Lazy<IProducer<TK, TV>>? producer, Exception failure, int attempts)
    {
        var source = record.TopicPartitionOffset.ToString();
        if (producer is null)
        {
            Log.RecordNotDeadLettered(_logger, failure, source, attempts, "no dead-letter topic is configured");
            _unrecoverable();
            return false;
        }

        // The record as it came, every header included (so the same correlation, causation and message IDs), plus two
        // headers saying where it came from and why it is here. The consumed record's headers are not modified.
        var headers = new Headers();
        if (record.Message.Headers is { } original)
        {
            foreach (var header in original)
            {
                headers.Add(header);
            }
        }

        var reason = $"{failure.GetType().FullName}: {failure.Message}";
        headers.Add(SourceHeader, Encoding.UTF8.GetBytes(KafkaHeaders.OffsetReference(record.Topic, record.Partition.Value, record.Offset.Value)));
        headers.Add(ReasonHeader, Encoding.UTF8.GetBytes(reason.Length > MaxReasonLength ? reason[..MaxReasonLength] : reason));
        var message = new Message<TK, TV> { Key = record.Message.Key, Value = record.Message.Value, Headers = headers };
        try
        {
            await producer.Value.ProduceAsync(_options.DeadLetterTopic!, message, CancellationToken.None).ConfigureAwait(false);
        }
        catch (KafkaException ex)
        {
            Log.RecordNotDeadLettered(_logger, ex, source, attempts, "producing to the dead-letter topic failed: " + ex.Error.Reason);
            _unrecoverable();
            return false;
        }

        Log.RecordDeadLettered(_logger, failure, source, _options.DeadLetterTopic!, attempts);
        return true;
    }
}
