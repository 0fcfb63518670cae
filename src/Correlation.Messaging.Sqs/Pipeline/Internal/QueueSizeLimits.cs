using System.Collections.Concurrent;
using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;
using Correlation.Messaging.Sqs.Internal;
using Correlation.Messaging.Sqs.Propagation;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Sqs.Pipeline.Internal;

/// <summary>
/// Each queue's <c>MaximumMessageSize</c>, read with <c>GetQueueAttributes</c> on first need and cached for
/// <see cref="Lifetime"/>. A queue that cannot be read (no permission, emulator without the attribute) counts as
/// <see cref="SqsCorrelationAttributes.DefaultMaxMessageSize"/> for <see cref="FailureLifetime"/>, with one warning.
/// </summary>
internal sealed class QueueSizeLimits(IAmazonSQS? client, ILogger logger)
{
    /// <summary>The smallest <c>MaximumMessageSize</c> a queue can have: a message this small fits any queue, with no lookup.</summary>
    public const int SmallestLimit = 1024;

    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan FailureLifetime = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);

    /// <summary>Gets the cached limit, or the default when it is not known yet (for the synchronous path).</summary>
    public int GetCachedOrDefault(string? queueUrl) =>
        queueUrl is not null && _cache.TryGetValue(queueUrl, out var entry) && entry.Task.IsCompletedSuccessfully
            ? entry.Task.Result
            : SqsCorrelationAttributes.DefaultMaxMessageSize;

    public ValueTask<int> GetAsync(string? queueUrl, CancellationToken cancellationToken)
    {
        if (client is null || string.IsNullOrEmpty(queueUrl))
        {
            return new(SqsCorrelationAttributes.DefaultMaxMessageSize);
        }

        var now = Environment.TickCount64;
        if (_cache.TryGetValue(queueUrl, out var entry) && (!entry.Task.IsCompleted || entry.ExpiresAt > now))
        {
            return entry.Task.IsCompletedSuccessfully ? new(entry.Task.Result) : new(entry.Task);
        }

        var fresh = new Entry();
        fresh.Task = FetchAsync(queueUrl, fresh, cancellationToken);
        _cache[queueUrl] = fresh;
        return new(fresh.Task);
    }

    private async Task<int> FetchAsync(string queueUrl, Entry entry, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client!.GetQueueAttributesAsync(
                new GetQueueAttributesRequest { QueueUrl = queueUrl, AttributeNames = ["MaximumMessageSize"] },
                cancellationToken).ConfigureAwait(false);
            if (response.Attributes is not null && response.Attributes.TryGetValue("MaximumMessageSize", out var text)
                && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size >= SmallestLimit)
            {
                entry.ExpiresAt = Environment.TickCount64 + (long)Lifetime.TotalMilliseconds;
                return size;
            }

            Log.QueueSizeLimitUnknown(logger, queueUrl, "no MaximumMessageSize in the response", SqsCorrelationAttributes.DefaultMaxMessageSize);
        }
        catch (Exception ex)
        {
            Log.QueueSizeLimitUnknown(logger, queueUrl, ex.GetType().Name + ": " + ex.Message, SqsCorrelationAttributes.DefaultMaxMessageSize);
        }

        entry.ExpiresAt = Environment.TickCount64 + (long)FailureLifetime.TotalMilliseconds;
        return SqsCorrelationAttributes.DefaultMaxMessageSize;
    }

    private sealed class Entry
    {
        public Task<int> Task { get; set; } = null!;

        public long ExpiresAt { get; set; } = long.MaxValue;
    }
}
