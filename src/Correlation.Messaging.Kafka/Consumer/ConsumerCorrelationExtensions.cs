using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Confluent.Kafka;
using Correlation.Messaging.Diagnostics;
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
/// Leak guard: each iteration starts with no ambient context. A scope left open by code in the loop (not disposed) is
/// closed whole (its context, logging scope, trace context and consumer span) and logged as a warning (event 200,
/// <c>LeakedContextCleared</c>).
/// </para>
/// </remarks>
public static class ConsumerCorrelationExtensions
{
    private const string AsyncHandlerMessage =
        "An async handler passed to a synchronous consume helper would run as async void: the helper would return, close the "
        + "scope and let the offset be stored before the handler finished, and its exceptions would crash the process. "
        + "Use ConsumeWithCorrelationAsync.";

    /// <summary>Consume errors thrown after a batch had collected records, kept for the next batch call of the same consumer.</summary>
    private static readonly ConditionalWeakTable<object, ExceptionDispatchInfo> PendingConsumeErrors = new();

    /// <summary>Refuses an async handler at compile time: it binds here rather than to the <see cref="Action{T}"/> overload.</summary>
    /// <typeparam name="TKey">The type of the message key.</typeparam>
    /// <typeparam name="TValue">The type of the message value.</typeparam>
    /// <param name="consumer">The consumer.</param>
    /// <param name="propagator">The propagator.</param>
    /// <param name="handler">An async handler.</param>
    /// <param name="timeout">The longest time to wait for a record.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always.</exception>
    [Obsolete(AsyncHandlerMessage, error: true)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static ConsumeResult<TKey, TValue>? ConsumeWithCorrelation<TKey, TValue>(
        this IConsumer<TKey, TValue> consumer,
        CorrelationPropagator propagator,
        Func<ConsumeResult<TKey, TValue>, Task> handler,
        TimeSpan timeout) => throw new NotSupportedException(AsyncHandlerMessage);

    /// <summary>Refuses an async handler at compile time: it binds here rather than to the <see cref="Action{T}"/> overload.</summary>
    /// <typeparam name="TKey">The type of the message key.</typeparam>
    /// <typeparam name="TValue">The type of the message value.</typeparam>
    /// <param name="consumer">The consumer.</param>
    /// <param name="propagator">The propagator.</param>
    /// <param name="handler">An async handler.</param>
    /// <param name="cancellationToken">Stops waiting for a record.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always.</exception>
    [Obsolete(AsyncHandlerMessage, error: true)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static ConsumeResult<TKey, TValue> ConsumeWithCorrelation<TKey, TValue>(
        this IConsumer<TKey, TValue> consumer,
        CorrelationPropagator propagator,
        Func<ConsumeResult<TKey, TValue>, Task> handler,
        CancellationToken cancellationToken) => throw new NotSupportedException(AsyncHandlerMessage);

    /// <summary>Refuses an async handler at compile time: it binds here rather than to the <see cref="Action{T}"/> overload.</summary>
    /// <typeparam name="TKey">The type of the message key.</typeparam>
    /// <typeparam name="TValue">The type of the message value.</typeparam>
    /// <param name="consumer">The consumer.</param>
    /// <param name="propagator">The propagator.</param>
    /// <param name="maxBatchSize">The most records to consume.</param>
    /// <param name="maxWait">The longest time to spend collecting the batch.</param>
    /// <param name="handler">An async handler.</param>
    /// <param name="cancellationToken">Stops collecting and handling.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always.</exception>
    [Obsolete(AsyncHandlerMessage, error: true)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static IReadOnlyList<ConsumeResult<TKey, TValue>> ConsumeBatchWithCorrelation<TKey, TValue>(
        this IConsumer<TKey, TValue> consumer,
        CorrelationPropagator propagator,
        int maxBatchSize,
        TimeSpan maxWait,
        Func<ConsumeResult<TKey, TValue>, Task> handler,
        CancellationToken cancellationToken = default) => throw new NotSupportedException(AsyncHandlerMessage);

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
            FlowDiagnostics.Faulted(scope, ex);
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
    /// <exception cref="ConsumeException">
    /// The consumer reported an error. When records had already been collected, they are handled and returned first,
    /// and the error is thrown by the next call for the same consumer, before it consumes anything.
    /// </exception>
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

        if (PendingConsumeErrors.TryGetValue(consumer, out var pending))
        {
            // The consumer failed after the previous call had collected records: those were handled and returned; the
            // error surfaces now, before anything else is consumed (the consumer's position is already past it).
            PendingConsumeErrors.Remove(consumer);
            pending.Throw();
        }

        ClearLeakedContext(propagator);
        var batch = new List<ConsumeResult<TKey, TValue>>(Math.Min(maxBatchSize, 1024));
        var deadline = Environment.TickCount64 + (long)maxWait.TotalMilliseconds;
        ExceptionDispatchInfo? consumeError = null;
        while (batch.Count < maxBatchSize && !cancellationToken.IsCancellationRequested)
        {
            var remaining = deadline - Environment.TickCount64;
            ConsumeResult<TKey, TValue>? result;
            try
            {
                result = consumer.Consume(TimeSpan.FromMilliseconds(Math.Max(remaining, 0)));
            }
            catch (Exception ex) when (batch.Count > 0 && ex is not OperationCanceledException)
            {
                // Never drop the records already taken from the consumer: handle and return them, throw the error next call.
                consumeError = ExceptionDispatchInfo.Capture(ex);
                break;
            }

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
                // The rewind re-reads everything after it, so a deferred consume error would simply happen again.
                Rewind(consumer, propagator, batch, ex is OperationCanceledException ? i : i + 1);
                throw;
            }
        }

        if (consumeError is not null)
        {
            PendingConsumeErrors.AddOrUpdate(consumer, consumeError);
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
            FlowDiagnostics.Faulted(scope, ex);
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
        if (AmbientCorrelation.Current is null)
        {
            return;
        }

        // Close every leaked scope whole: its logging scope, inbound trace context and consumer span too, so the next
        // record's lines carry one correlation_id and its span gets the right parent.
        var leaked = AmbientCorrelation.CloseAll();
        Tracing.InboundTraceContext.Current = null;
        Log.LeakedContextCleared(propagator.Logger, leaked!.CorrelationId);
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
