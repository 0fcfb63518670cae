using Confluent.Kafka;
using Correlation.Messaging.Internal;
using Correlation.Messaging.Kafka.Internal;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Kafka;

/// <summary>
/// Consume-loop helpers that own the handler call: consume, restore the record's correlation context, run the handler,
/// and clear the context, even when the handler throws.
/// </summary>
/// <remarks>
/// <para>
/// The helpers never commit or store offsets: the commit strategy stays the caller's. For at-least-once processing
/// configure the consumer with <c>EnableAutoOffsetStore = false</c> and call <c>StoreOffset(result)</c> after a helper
/// returns (or <c>EnableAutoCommit = false</c> and <c>Commit(result)</c>); otherwise librdkafka stores the offset of every
/// record it returns, processed or not.
/// </para>
/// <para>
/// When a record cannot be processed, a <see cref="ConsumeProcessingException{TKey, TValue}"/> carrying the record
/// reaches the caller before any commit; the caller's loop decides (dead-letter topic, retry, or stop).
/// </para>
/// <para>
/// Leak guard: each iteration starts with no ambient context. A context left ambient by code in the loop (a scope
/// that was not disposed) is cleared and logged as a warning (event 200, <c>LeakedContextCleared</c>).
/// </para>
/// </remarks>
public static class ConsumerCorrelationExtensions
{
    /// <summary>
    /// Consumes one record, waiting at most <paramref name="timeout"/>, and runs <paramref name="handler"/> with the record's
    /// correlation context ambient.
    /// </summary>
    /// <typeparam name="TKey">The type of the message key.</typeparam>
    /// <typeparam name="TValue">The type of the message value.</typeparam>
    /// <param name="consumer">The consumer.</param>
    /// <param name="propagator">The propagator whose header names and policies to apply.</param>
    /// <param name="handler">Handles the record.</param>
    /// <param name="timeout">The longest time to wait for a record.</param>
    /// <returns>The handled record (store or commit its offset), a partition-EOF event (not handled), or <see langword="null"/> when none arrived in time.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="consumer"/>, <paramref name="propagator"/> or <paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <exception cref="ConsumeProcessingException{TKey, TValue}">The correlation ID was rejected by policy, or the handler threw.</exception>
    /// <exception cref="ConsumeException">The consumer reported an error.</exception>
    public static ConsumeResult<TKey, TValue>? ConsumeWithCorrelation<TKey, TValue>(
        this IConsumer<TKey, TValue> consumer,
        CorrelationPropagator propagator,
        Action<ConsumeResult<TKey, TValue>> handler,
        TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(propagator);
        ArgumentNullException.ThrowIfNull(handler);

        ClearLeakedContext(propagator);
        var result = consumer.Consume(timeout);
        if (result?.Message is not null)
        {
            Handle(result, propagator, handler, CancellationToken.None);
        }

        return result;
    }

    /// <summary>
    /// Consumes one record, waiting until one arrives or <paramref name="cancellationToken"/> is cancelled, and runs
    /// <paramref name="handler"/> with the record's correlation context ambient.
    /// </summary>
    /// <typeparam name="TKey">The type of the message key.</typeparam>
    /// <typeparam name="TValue">The type of the message value.</typeparam>
    /// <param name="consumer">The consumer.</param>
    /// <param name="propagator">The propagator whose header names and policies to apply.</param>
    /// <param name="handler">Handles the record.</param>
    /// <param name="cancellationToken">Stops waiting for a record.</param>
    /// <returns>The handled record (store or commit its offset), or a partition-EOF event (not handled).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="consumer"/>, <paramref name="propagator"/> or <paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <exception cref="ConsumeProcessingException{TKey, TValue}">The correlation ID was rejected by policy, or the handler threw.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ConsumeException">The consumer reported an error.</exception>
    public static ConsumeResult<TKey, TValue> ConsumeWithCorrelation<TKey, TValue>(
        this IConsumer<TKey, TValue> consumer,
        CorrelationPropagator propagator,
        Action<ConsumeResult<TKey, TValue>> handler,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(propagator);
        ArgumentNullException.ThrowIfNull(handler);

        ClearLeakedContext(propagator);
        var result = consumer.Consume(cancellationToken);
        if (result?.Message is not null)
        {
            Handle(result, propagator, handler, cancellationToken);
        }

        return result!;
    }

    /// <summary>
    /// Consumes one record (blocking the calling thread until one arrives, as Confluent's <c>Consume</c> does) and awaits
    /// <paramref name="handler"/> with the record's correlation context ambient.
    /// </summary>
    /// <typeparam name="TKey">The type of the message key.</typeparam>
    /// <typeparam name="TValue">The type of the message value.</typeparam>
    /// <param name="consumer">The consumer.</param>
    /// <param name="propagator">The propagator whose header names and policies to apply.</param>
    /// <param name="handler">Handles the record.</param>
    /// <param name="cancellationToken">Stops waiting for a record, and is passed to <paramref name="handler"/>.</param>
    /// <returns>The handled record (store or commit its offset), or a partition-EOF event (not handled).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="consumer"/>, <paramref name="propagator"/> or <paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <exception cref="ConsumeProcessingException{TKey, TValue}">The correlation ID was rejected by policy, or the handler threw.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ConsumeException">The consumer reported an error.</exception>
    public static async Task<ConsumeResult<TKey, TValue>> ConsumeWithCorrelationAsync<TKey, TValue>(
        this IConsumer<TKey, TValue> consumer,
        CorrelationPropagator propagator,
        Func<ConsumeResult<TKey, TValue>, CancellationToken, Task> handler,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(propagator);
        ArgumentNullException.ThrowIfNull(handler);

        ClearLeakedContext(propagator);
        var result = consumer.Consume(cancellationToken);
        if (result?.Message is null)
        {
            return result!;
        }

        var scope = Enter(result, propagator);
        try
        {
            await handler(result, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw new ConsumeProcessingException<TKey, TValue>(result, scope.Context, ex);
        }
        finally
        {
            scope.Dispose();
        }

        return result;
    }

    /// <summary>
    /// Consumes up to <paramref name="maxBatchSize"/> records within <paramref name="maxWait"/>, then runs
    /// <paramref name="handler"/> for each, in order, each with its own correlation context ambient.
    /// </summary>
    /// <typeparam name="TKey">The type of the message key.</typeparam>
    /// <typeparam name="TValue">The type of the message value.</typeparam>
    /// <param name="consumer">The consumer.</param>
    /// <param name="propagator">The propagator whose header names and policies to apply.</param>
    /// <param name="maxBatchSize">The most records to consume.</param>
    /// <param name="maxWait">The longest time to spend collecting the batch.</param>
    /// <param name="handler">Handles one record.</param>
    /// <param name="cancellationToken">Stops collecting and handling.</param>
    /// <returns>The handled records, in consume order (empty when none arrived); store or commit their offsets.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="consumer"/>, <paramref name="propagator"/> or <paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBatchSize"/> is less than 1.</exception>
    /// <exception cref="ConsumeProcessingException{TKey, TValue}">
    /// A record's correlation ID was rejected by policy, or the handler threw. Records before it were handled; the
    /// consumer is rewound so that the records after it are consumed again.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the unhandled records are consumed again.</exception>
    /// <exception cref="ConsumeException">The consumer reported an error.</exception>
    public static IReadOnlyList<ConsumeResult<TKey, TValue>> ConsumeBatchWithCorrelation<TKey, TValue>(
        this IConsumer<TKey, TValue> consumer,
        CorrelationPropagator propagator,
        int maxBatchSize,
        TimeSpan maxWait,
        Action<ConsumeResult<TKey, TValue>> handler,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(propagator);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);

        ClearLeakedContext(propagator);
        var batch = new List<ConsumeResult<TKey, TValue>>(Math.Min(maxBatchSize, 1024));
        var deadline = Environment.TickCount64 + (long)maxWait.TotalMilliseconds;
        while (batch.Count < maxBatchSize && !cancellationToken.IsCancellationRequested)
        {
            var remaining = deadline - Environment.TickCount64;
            var result = consumer.Consume(TimeSpan.FromMilliseconds(Math.Max(remaining, 0)));
            if (result is null)
            {
                break;
            }

            if (result.Message is not null)
            {
                batch.Add(result);
            }

            if (remaining <= 0)
            {
                break;
            }
        }

        for (var i = 0; i < batch.Count; i++)
        {
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                ClearLeakedContext(propagator);
                Handle(batch[i], propagator, handler, cancellationToken);
            }
            catch (Exception ex) when (ex is ConsumeProcessingException<TKey, TValue> or OperationCanceledException)
            {
                // The failed record travels in the exception; everything after it goes back to the consumer.
                Rewind(consumer, propagator, batch, ex is OperationCanceledException ? i : i + 1);
                throw;
            }
        }

        return batch;
    }

    /// <summary>Runs the handler inside the record's scope; the scope is disposed however the handler ends.</summary>
    internal static void Handle<TKey, TValue>(
        ConsumeResult<TKey, TValue> result,
        CorrelationPropagator propagator,
        Action<ConsumeResult<TKey, TValue>> handler,
        CancellationToken cancellationToken)
    {
        var scope = Enter(result, propagator);
        try
        {
            handler(result);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw new ConsumeProcessingException<TKey, TValue>(result, scope.Context, ex);
        }
        finally
        {
            scope.Dispose();
        }
    }

    private static CorrelationScope Enter<TKey, TValue>(ConsumeResult<TKey, TValue> result, CorrelationPropagator propagator)
    {
        try
        {
            return result.BeginCorrelationScope(propagator);
        }
        catch (CorrelationIdRejectedException ex)
        {
            throw new ConsumeProcessingException<TKey, TValue>(result, null, ex);
        }
    }

    private static void ClearLeakedContext(CorrelationPropagator propagator)
    {
        var leaked = AmbientCorrelation.Current;
        if (leaked is not null)
        {
            Log.LeakedContextCleared(propagator.Logger, leaked.CorrelationId);
            AmbientCorrelation.Current = null;
            Tracing.InboundTraceContext.Current = null;
        }
    }

    private static void Rewind<TKey, TValue>(
        IConsumer<TKey, TValue> consumer,
        CorrelationPropagator propagator,
        List<ConsumeResult<TKey, TValue>> batch,
        int firstUnhandled)
    {
        // Records of one partition arrive in offset order: the first unhandled one of each partition is where to go back.
        var seen = new HashSet<TopicPartition>();
        for (var i = firstUnhandled; i < batch.Count; i++)
        {
            var tpo = batch[i].TopicPartitionOffset;
            if (!seen.Add(tpo.TopicPartition))
            {
                continue;
            }

            try
            {
                consumer.Seek(tpo);
            }
            catch (KafkaException ex)
            {
                Log.BatchRewindFailed(propagator.Logger, ex, tpo.ToString());
            }
        }
    }
}
