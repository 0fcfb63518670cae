using System.IO.Hashing;
using System.Runtime.InteropServices;
using Correlation.Messaging.Timeline.Input;

namespace Correlation.Messaging.Timeline.Flows;

/// <summary>
/// Summarises every flow of a stream of records without keeping the records: per flow its time span, services, a
/// 64-bit hash per message ID, and per message handling (message ID and service) only what its status needs in 8 bytes
/// (its last line's time and whether it failed, whether it ever failed or retried), in <see cref="CompactTable"/>s. Memory grows with the number of flows and messages,
/// not with the number of lines. The summaries equal what <see cref="FlowBuilder"/> would compute from all the lines.
/// </summary>
internal sealed class FlowSummaries : IRecordSink
{
    private readonly Dictionary<string, FlowState> _flows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, FlowState> _traces = [];
    private readonly List<PendingSpan> _unjoined = [];
    private readonly Func<long> _nextSequence;

    public FlowSummaries(Func<long> nextSequence) => _nextSequence = nextSequence;

    public int Count => _flows.Count;

    public long NextSequence() => _nextSequence();

    public void Add(LogRecord record)
    {
        var flow = Flow(record.CorrelationId);
        if (record.TraceId is not null)
        {
            _traces.TryAdd(Hash(record.TraceId), flow);
        }

        flow.Add(record.HasTimestamp ? record.Timestamp.UtcTicks : null, Intern(record.Service), record.MessageId is null ? null : Hash(record.MessageId),
            record.IsFailure, record.IsRetry && record.RetryNumber is null, record.RetryNumber ?? 0, isLine: record.Kind == RecordKind.Log);
    }

    public void Add(SpanRecord span)
    {
        if (span.CorrelationId is null)
        {
            // Joined by trace ID once every log line has been read; only the few fields a summary needs are kept (48 bytes).
            _unjoined.Add(new PendingSpan(Hash(span.TraceId), span.Start.UtcTicks, span.End.UtcTicks, Intern(span.Service), span.MessageId is null ? null : Hash(span.MessageId), span.IsError, span.Kind == SpanKind.Consumer));
            return;
        }

        var flow = Flow(span.CorrelationId);
        _traces.TryAdd(Hash(span.TraceId), flow);
        AddSpan(flow, span);
    }

    /// <summary>Gets the summaries, most recent start first.</summary>
    public IReadOnlyList<FlowSummary> Build()
    {
        foreach (var span in _unjoined)
        {
            if (_traces.TryGetValue(span.Trace, out var flow))
            {
                flow.Add(span.Start, span.Service, span.Message, false, false, 0, isLine: false, consumerStart: span.Consumer);
                flow.Add(span.End, span.Service, span.Message, span.IsError, false, 0, isLine: false);
            }
        }

        _unjoined.Clear();
        var list = _flows.Select(static p => p.Value.Summary(p.Key)).ToList();
        list.Sort(static (a, b) =>
        {
            var byStart = b.Start.CompareTo(a.Start);
            return byStart != 0 ? byStart : string.CompareOrdinal(a.CorrelationId, b.CorrelationId);
        });
        return list;
    }

    private void AddSpan(FlowState flow, SpanRecord span)
    {
        var service = Intern(span.Service);
        var message = span.MessageId is null ? (ulong?)null : Hash(span.MessageId);
        flow.Add(span.Start.UtcTicks, service, message, false, false, 0, isLine: false, consumerStart: span.Kind == SpanKind.Consumer);
        flow.Add(span.End.UtcTicks, service, message, span.IsError, false, 0, isLine: false);
    }

    /// <summary>A span that names no flow, kept until the trace IDs of every flow are known.</summary>
    private readonly record struct PendingSpan(ulong Trace, long Start, long End, int Service, ulong? Message, bool IsError, bool Consumer);

    private FlowState Flow(string correlationId)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_flows, correlationId, out _);
        return slot ??= new FlowState();
    }

    /// <summary>Numbers the services (a handful): a handling's key is its message hash and its service's number.</summary>
    private int Intern(string service)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_services, service, out var exists);
        if (!exists)
        {
            slot = _services.Count;
        }

        return slot;
    }

    internal static ulong Hash(string? text) => text is null ? 0 : XxHash3.HashToUInt64(MemoryMarshal.AsBytes(text.AsSpan()));

    private sealed class FlowState
    {
        // A handling's state in one long: its last line's time (ticks since 1900, 59 bits) and four flags above it.
        private const int TimeBits = 59;
        private const long TimeMask = (1L << TimeBits) - 1;
        private const long LastFailed = 1L << TimeBits, AnyFailure = 1L << (TimeBits + 1), Retried = 1L << (TimeBits + 2), Consumed = 1L << (TimeBits + 3);
        private static readonly long TimeBase = new DateTime(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

        private readonly List<int> _services = [];
        private readonly CompactTable _messages = new();
        private readonly CompactTable _handlings = new();
        private long _start = long.MaxValue;
        private long _end = long.MinValue;
        private int _lines;

        // consumerStart: the start of a consumer span; a second one of the same handling is a redelivery (a retry).
        public void Add(long? ticks, int service, ulong? messageHash, bool failure, bool retryMarker, int retryNumber, bool isLine, bool consumerStart = false)
        {
            if (isLine)
            {
                _lines++;
            }

            if (ticks is { } t)
            {
                _start = Math.Min(_start, t);
                _end = Math.Max(_end, t);
            }

            if (!_services.Contains(service))
            {
                _services.Add(service);
            }

            var message = messageHash ?? 0;
            if (messageHash is not null)
            {
                _messages.GetOrAdd(message, out _);
            }

            // The handling's key: the message hash mixed with the service number (services are few; collisions of 64-bit
            // hashes are negligible at millions of handlings). Lines read later win ties of time, as in FlowBuilder.
            var key = message ^ ((ulong)(service + 1) * 0x9E3779B97F4A7C15UL);
            ref var state = ref _handlings.GetOrAdd(key, out var existed);
            var time = ticks is { } tt ? Math.Clamp(tt - TimeBase, 1, TimeMask) : 0;
            if (!existed || time >= (state & TimeMask))
            {
                state = (state & ~(TimeMask | LastFailed)) | time | (failure ? LastFailed : 0);
            }

            if (failure)
            {
                state |= AnyFailure;
            }

            if (retryMarker || retryNumber > 0 || (consumerStart && (state & Consumed) != 0))
            {
                state |= Retried;
            }

            if (consumerStart)
            {
                state |= Consumed;
            }
        }

        public FlowSummary Summary(string correlationId)
        {
            var status = FlowStatus.Ok;
            foreach (var state in _handlings.Values())
            {
                if ((state & LastFailed) != 0)
                {
                    status = FlowStatus.Failed;
                    break;
                }

                if ((state & (AnyFailure | Retried)) != 0)
                {
                    status = FlowStatus.RetriedThenOk;
                }
            }

            var start = _start == long.MaxValue ? DateTimeOffset.UnixEpoch : new DateTimeOffset(_start, TimeSpan.Zero);
            var duration = _start == long.MaxValue ? TimeSpan.Zero : TimeSpan.FromTicks(_end - _start);
            return new FlowSummary(correlationId, start, duration, _services.Count, _messages.Count, _lines, status);
        }
    }
}
