using Correlation.Messaging.Timeline.Input;

namespace Correlation.Messaging.Timeline.Flows;

/// <summary>How one message handling ended.</summary>
internal enum HandlingOutcome
{
    Ok,
    Retried,
    Failed,
}

/// <summary>
/// The lines one service logged while handling one message (same <c>message_id</c>), from its first to its last line;
/// a node of the causation tree. Lines without a message ID (an HTTP request at the edge) form one handling per service.
/// </summary>
internal sealed class MessageHandling
{
    private readonly List<MessageHandling> _children = [];

    public MessageHandling(int index, string? messageId, string service, IReadOnlyList<LogRecord> records)
    {
        Index = index;
        MessageId = messageId;
        Service = service;
        Records = records;
        CausationId = records.Select(r => r.CausationId).FirstOrDefault(c => c is not null);
        Start = records[0].Timestamp;
        End = records[^1].Timestamp;
        Label = records.FirstOrDefault(static r => r.Kind == RecordKind.Log)?.Step ?? records[0].SpanName ?? records[0].Step;
        HopDepth = records.Select(static r => r.Depth).FirstOrDefault(static d => d is not null);
        Failures = records.Count(r => r.IsFailure);

        var maxRetryNumber = records.Max(r => r.RetryNumber ?? 0);
        var markers = records.Count(r => r.IsRetry && r.RetryNumber is null);
        Retries = Math.Max(maxRetryNumber, markers);
        var last = records[^1];
        if (last.IsFailure)
        {
            Outcome = HandlingOutcome.Failed;
        }
        else if (Retries > 0 || Failures > 0)
        {
            Outcome = HandlingOutcome.Retried;
            Retries = Math.Max(Retries, 1);
        }
    }

    /// <summary>Gets the position of this handling in its flow (order of first line).</summary>
    public int Index { get; }

    public string? MessageId { get; }

    public string Service { get; }

    /// <summary>Gets the ID of the message that caused this one, from the first line that carried it.</summary>
    public string? CausationId { get; }

    public IReadOnlyList<LogRecord> Records { get; }

    public DateTimeOffset Start { get; }

    public DateTimeOffset End { get; }

    public TimeSpan Duration => End - Start;

    /// <summary>Gets the step of the first line, used as the handling's label.</summary>
    public string Label { get; }

    public int Failures { get; }

    public int Retries { get; }

    public HandlingOutcome Outcome { get; }

    public MessageHandling? Parent { get; private set; }

    public IReadOnlyList<MessageHandling> Children => _children;

    /// <summary>Gets a value indicating whether the handling names a cause that is not in the logs read.</summary>
    public bool CauseMissing { get; internal set; }

    /// <summary>Gets a value indicating whether the causation chain loops back here (bad data); the link was cut.</summary>
    public bool CausationCycle { get; internal set; }

    /// <summary>Gets how much earlier this handling's first line is than its cause's, when another service logged the cause.</summary>
    public TimeSpan? ClockSkew { get; internal set; }

    public int Depth => Parent is null ? 0 : Parent.Depth + 1;

    /// <summary>Gets the hop depth the lines were logged at (<c>correlation_depth</c>), when they said.</summary>
    public int? HopDepth { get; }

    internal void AttachTo(MessageHandling parent)
    {
        Parent = parent;
        parent._children.Add(this);
    }

    internal void SortChildren() => _children.Sort(FlowBuilder.ByStart);
}
