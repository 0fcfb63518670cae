using System.Collections.Concurrent;
using System.Threading.Channels;
using Confluent.Kafka;

namespace Correlation.Messaging.Kafka.Hosting.Internal;

/// <summary>
/// Handles the records of one partition one at a time, in offset order, and reports each finished offset. A record
/// that could be neither handled nor dead-lettered stops the worker: nothing after it is reported, so nothing after it
/// is committed.
/// </summary>
internal sealed class PartitionWorker<TKey, TValue>
{
    private readonly Channel<PartitionWork<TKey, TValue>> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    public PartitionWorker(
        TopicPartition partition,
        int capacity,
        IRecordProcessor<TKey, TValue> processor,
        SemaphoreSlim parallelism,
        ConcurrentQueue<TopicPartitionOffset> done,
        CancellationToken stoppingToken)
    {
        Partition = partition;
        _queue = Channel.CreateBounded<PartitionWork<TKey, TValue>>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        _run = Task.Run(() => RunAsync(processor, parallelism, done, stoppingToken), CancellationToken.None);
    }

    public TopicPartition Partition { get; }

    public bool TryEnqueue(PartitionWork<TKey, TValue> work) => _queue.Writer.TryWrite(work);

    /// <summary>Lets the running record finish and drops the ones that did not start (they were not committed).</summary>
    public async Task StopAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync(
        IRecordProcessor<TKey, TValue> processor,
        SemaphoreSlim parallelism,
        ConcurrentQueue<TopicPartitionOffset> done,
        CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                while (!_stop.IsCancellationRequested && reader.TryRead(out var work))
                {
                    await parallelism.WaitAsync(_stop.Token).ConfigureAwait(false);
                    bool finished;
                    try
                    {
                        finished = await processor.ProcessAsync(work, stoppingToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        parallelism.Release();
                    }

                    if (!finished)
                    {
                        _queue.Writer.TryComplete();
                        return;
                    }

                    done.Enqueue(work.TopicPartitionOffset);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped between records.
        }
    }
}
