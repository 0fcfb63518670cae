using System.Collections.Concurrent;
using Confluent.Kafka;
using Correlation.Messaging.Kafka.Internal;
using Correlation.Messaging.Propagation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Kafka.Hosting.Internal;

/// <summary>
/// The hosted consumer behind <c>AddKafkaConsumer</c>: one poll thread that consumes, hands each record to its
/// partition's worker, and stores and commits the offsets the workers report as done.
/// </summary>
/// <remarks>
/// <para>Only the poll thread touches the consumer (consume, pause, resume, store, commit, close). Workers run the
/// handler, retries and dead-lettering, and report finished offsets through a queue.</para>
/// <para>Ordering: one worker per partition handles its records one at a time, in offset order; a semaphore limits how
/// many partitions are handled at once. A partition whose buffer is full is paused until its worker catches up.</para>
/// </remarks>
internal sealed class KafkaConsumerService<TKey, TValue, THandler> : BackgroundService
    where THandler : class, IKafkaHandler<TKey, TValue>
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);

    private readonly KafkaConsumerRegistration<TKey, TValue> _registration;
    private readonly KafkaConsumerOptions _options;
    private readonly RecordProcessor<TKey, TValue, THandler> _processor;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger _logger;
    private readonly string _handlerName = typeof(THandler).Name;
    private readonly Dictionary<TopicPartition, PartitionWorker<TKey, TValue>> _workers = [];
    private readonly Dictionary<TopicPartition, PartitionWork<TKey, TValue>> _pending = [];
    private readonly ConcurrentQueue<TopicPartitionOffset> _done = new();
    private readonly SemaphoreSlim _parallelism;
    private volatile bool _fatal;

    public KafkaConsumerService(
        KafkaConsumerRegistration<TKey, TValue> registration,
        KafkaConsumerOptions options,
        IServiceScopeFactory scopes,
        CorrelationPropagator propagator,
        IHostApplicationLifetime lifetime,
        ILoggerFactory loggerFactory)
    {
        _registration = registration;
        _options = options;
        _lifetime = lifetime;
        _logger = loggerFactory.CreateLogger(KafkaConsumerRegistration.LoggerCategory);
        _parallelism = new SemaphoreSlim(options.MaxDegreeOfParallelism, options.MaxDegreeOfParallelism);
        _processor = new RecordProcessor<TKey, TValue, THandler>(registration, options, scopes, propagator, _logger, OnUnrecoverable);
    }

    public override void Dispose()
    {
        _processor.Dispose();
        _parallelism.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // Confluent's Consume blocks its thread: the poll loop gets a thread of its own, not one from the pool.
        Task.Factory.StartNew(() => Run(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        var topic = _registration.Topic;
        using var consumer = _registration.BuildConsumer(_options, OnError, OnRevoked, OnLost);
        consumer.Subscribe(topic);
        Log.ConsumerStarted(_logger, _handlerName, topic, _registration.GroupId);
        var errorDelay = _options.ConsumeErrorDelay;
        var closed = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested && !_fatal)
            {
                FinishDone(consumer);
                RetryPending(consumer, stoppingToken);
                ConsumeResult<TKey, TValue>? result;
                try
                {
                    result = consumer.Consume(PollTimeout);
                    errorDelay = _options.ConsumeErrorDelay;
                }
                catch (ConsumeException ex) when (!ex.Error.IsFatal && IsDeserializationError(ex.Error.Code) && ex.ConsumerRecord is not null)
                {
                    // The record's bytes travel to the dead-letter topic through its partition's worker, in order.
                    Dispatch(consumer, new PartitionWork<TKey, TValue>(null, ex), ex.ConsumerRecord.TopicPartition, stoppingToken);
                    continue;
                }
                catch (ConsumeException ex) when (!ex.Error.IsFatal)
                {
                    Log.ConsumeErrorRetrying(_logger, topic, ex.Error.Code, ex.Error.Reason, (long)errorDelay.TotalMilliseconds);
                    stoppingToken.WaitHandle.WaitOne(errorDelay);
                    errorDelay = TimeSpan.FromTicks(Math.Min(errorDelay.Ticks * 2, _options.MaxConsumeErrorDelay.Ticks));
                    continue;
                }

                if (result?.Message is not null && !result.IsPartitionEOF)
                {
                    Dispatch(consumer, new PartitionWork<TKey, TValue>(result, null), result.TopicPartition, stoppingToken);
                }
            }
        }
        catch (KafkaException ex) when (ex.Error.IsFatal)
        {
            Log.ConsumeErrorFatal(_logger, topic, ex.Error.Code, ex.Error.Reason);
            _fatal = true;
        }
        finally
        {
            // Graceful: running handlers finish; buffered records that never started are read again by the next owner.
            StopWorkers([.. _workers.Keys]);
            FinishDone(consumer);
            CommitStored(consumer); // finished records are contiguous per partition, even after a fatal error

            try
            {
                consumer.Close();
                closed = true;
            }
            catch (KafkaException ex)
            {
                Log.CommitFailed(_logger, topic, ex.Error.Code, ex.Error.Reason);
            }

            _processor.FlushDeadLetters();
            if (closed)
            {
                Log.ConsumerStopped(_logger, _handlerName, topic, _registration.GroupId);
            }

            if (_fatal)
            {
                _lifetime.StopApplication();
            }
        }
    }

    private static bool IsDeserializationError(ErrorCode code) =>
        code is ErrorCode.Local_KeyDeserialization or ErrorCode.Local_ValueDeserialization;

    private void Dispatch(IConsumer<TKey, TValue> consumer, PartitionWork<TKey, TValue> work, TopicPartition partition, CancellationToken stoppingToken)
    {
        if (!_workers.TryGetValue(partition, out var worker))
        {
            worker = new PartitionWorker<TKey, TValue>(partition, _options.BufferedRecordsPerPartition, _processor, _parallelism, _done, stoppingToken);
            _workers.Add(partition, worker);
        }

        if (!worker.TryEnqueue(work))
        {
            // Full: stop fetching this partition until its worker catches up; this record waits here, in order.
            consumer.Pause([partition]);
            _pending[partition] = work;
        }
    }

    private void RetryPending(IConsumer<TKey, TValue> consumer, CancellationToken stoppingToken)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        foreach (var (partition, work) in _pending.ToArray())
        {
            if (_workers.TryGetValue(partition, out var worker) && worker.TryEnqueue(work))
            {
                _pending.Remove(partition);
                consumer.Resume([partition]);
            }
            else if (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private void FinishDone(IConsumer<TKey, TValue> consumer)
    {
        if (_done.IsEmpty)
        {
            return;
        }

        var next = new Dictionary<TopicPartition, Offset>();
        while (_done.TryDequeue(out var handled))
        {
            next[handled.TopicPartition] = handled.Offset + 1;
        }

        var offsets = next.Select(p => new TopicPartitionOffset(p.Key, p.Value)).ToList();
        if (_options.CommitStrategy == KafkaCommitStrategy.AfterEachRecord)
        {
            Commit(consumer, offsets);
            return;
        }

        foreach (var offset in offsets)
        {
            try
            {
                consumer.StoreOffset(offset);
            }
            catch (KafkaException ex)
            {
                // The partition was revoked meanwhile: its new owner reads the record again (at-least-once).
                Log.CommitFailed(_logger, _registration.Topic, ex.Error.Code, ex.Error.Reason);
            }
        }
    }

    private void Commit(IConsumer<TKey, TValue> consumer, List<TopicPartitionOffset> offsets)
    {
        try
        {
            consumer.Commit(offsets);
        }
        catch (KafkaException ex)
        {
            Log.CommitFailed(_logger, _registration.Topic, ex.Error.Code, ex.Error.Reason);
        }
    }

    private void CommitStored(IConsumer<TKey, TValue> consumer)
    {
        if (_options.CommitStrategy != KafkaCommitStrategy.Batched)
        {
            return; // every finished record was committed by FinishDone
        }

        try
        {
            consumer.Commit();
        }
        catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_NoOffset)
        {
            // Nothing handled since the last commit.
        }
        catch (KafkaException ex)
        {
            Log.CommitFailed(_logger, _registration.Topic, ex.Error.Code, ex.Error.Reason);
        }
    }

    private void StopWorkers(List<TopicPartition> partitions)
    {
        var stopping = new List<Task>(partitions.Count);
        foreach (var partition in partitions)
        {
            _pending.Remove(partition);
            if (_workers.Remove(partition, out var worker))
            {
                stopping.Add(worker.StopAsync());
            }
        }

        Task.WaitAll(stopping);
    }

    private void OnRevoked(IConsumer<TKey, TValue> consumer, List<TopicPartitionOffset> revoked)
    {
        // Still the owner here: let the running records finish, then commit what they finished before letting go.
        StopWorkers([.. revoked.Select(p => p.TopicPartition)]);
        FinishDone(consumer);
        CommitStored(consumer);
    }

    private void OnLost(IConsumer<TKey, TValue> consumer, List<TopicPartitionOffset> lost)
    {
        // No longer the owner: nothing can be committed; the new owner reads the unfinished records again.
        var partitions = lost.Select(p => p.TopicPartition).ToList();
        StopWorkers(partitions);
        var keep = new List<TopicPartitionOffset>();
        while (_done.TryDequeue(out var handled))
        {
            if (!partitions.Contains(handled.TopicPartition))
            {
                keep.Add(handled);
            }
        }

        keep.ForEach(_done.Enqueue);
    }

    private void OnError(IConsumer<TKey, TValue> consumer, Error error)
    {
        if (error.IsFatal)
        {
            Log.ConsumeErrorFatal(_logger, _registration.Topic, error.Code, error.Reason);
            _fatal = true;
            return;
        }

        Log.ClientError(_logger, _registration.Topic, error.Code, error.Reason);
    }

    private void OnUnrecoverable()
    {
        _fatal = true;
    }
}
