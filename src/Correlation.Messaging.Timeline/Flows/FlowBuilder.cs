using Correlation.Messaging.Timeline.Input;

namespace Correlation.Messaging.Timeline.Flows;

/// <summary>Groups log records into flows (one per correlation ID) and builds each flow's causation tree.</summary>
internal static class FlowBuilder
{
    internal static readonly Comparison<MessageHandling> ByStart = static (a, b) =>
    {
        var byTime = a.Start.CompareTo(b.Start);
        return byTime != 0 ? byTime : a.Records[0].Sequence.CompareTo(b.Records[0].Sequence);
    };

    private static readonly Comparison<LogRecord> ByTime = static (a, b) =>
    {
        var byTime = a.Timestamp.CompareTo(b.Timestamp);
        return byTime != 0 ? byTime : a.Sequence.CompareTo(b.Sequence);
    };

    /// <summary>Builds every flow found in <paramref name="records"/>, most recent start first.</summary>
    public static IReadOnlyList<Flow> BuildAll(IEnumerable<LogRecord> records)
    {
        var flows = records
            .GroupBy(r => r.CorrelationId, StringComparer.Ordinal)
            .Select(g => Build(g.Key, g))
            .ToList();
        flows.Sort(static (a, b) =>
        {
            var byStart = b.Start.CompareTo(a.Start);
            return byStart != 0 ? byStart : string.CompareOrdinal(a.CorrelationId, b.CorrelationId);
        });
        return flows;
    }

    /// <summary>
    /// Builds one flow from its records (all with the same correlation ID; at least one). When the lines carry their hop
    /// depth and a service's clock puts a hop before its cause, that service's times are shifted so that the flow reads
    /// in hop order (the shift is reported in <see cref="Flow.ClockShifts"/>).
    /// </summary>
    public static Flow Build(string correlationId, IEnumerable<LogRecord> records)
    {
        var flow = BuildCore(correlationId, records);
        if (!flow.Records.Any(static r => r.Depth is not null) || !flow.Skewed.Any())
        {
            return flow;
        }

        var shifts = ClockShifts(flow);
        if (shifts.Count == 0)
        {
            return flow;
        }

        var shifted = flow.Records.Select(r => shifts.TryGetValue(r.Service, out var shift) && r.HasTimestamp ? r with { Timestamp = r.Timestamp + shift } : r);
        var corrected = BuildCore(correlationId, shifted);
        corrected.ClockShifts = shifts;
        return corrected;
    }

    /// <summary>
    /// Estimates, per service, how far its clock is behind: walking the causation tree (parents first), a hop that starts
    /// before its cause in another service moves its service's clock forward to just after the cause.
    /// </summary>
    private static Dictionary<string, TimeSpan> ClockShifts(Flow flow)
    {
        var shifts = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var queue = new Queue<MessageHandling>(flow.Roots);
        var margin = TimeSpan.FromTicks(TimeSpan.TicksPerMillisecond);
        while (queue.TryDequeue(out var node))
        {
            if (node.Parent is { } parent && !string.Equals(parent.Service, node.Service, StringComparison.Ordinal))
            {
                var parentStart = parent.Start + shifts.GetValueOrDefault(parent.Service);
                var nodeStart = node.Start + shifts.GetValueOrDefault(node.Service);
                if (nodeStart < parentStart && !shifts.ContainsKey(node.Service))
                {
                    shifts[node.Service] = parentStart - node.Start + margin;
                }
            }

            foreach (var child in node.Children)
            {
                queue.Enqueue(child);
            }
        }

        return shifts;
    }

    private static Flow BuildCore(string correlationId, IEnumerable<LogRecord> records)
    {
        var lines = records.ToList();
        if (lines.Count == 0)
        {
            throw new ArgumentException("A flow needs at least one record.", nameof(records));
        }

        if (lines.Exists(static l => !l.HasTimestamp))
        {
            lines = PlaceByCausation(correlationId, lines);
        }

        lines.Sort(ByTime);

        // One handling per (message ID, service), in order of first line.
        var handlings = new List<MessageHandling>();
        var groups = new Dictionary<(string? MessageId, string Service), List<LogRecord>>();
        var order = new List<(string? MessageId, string Service)>();
        foreach (var line in lines)
        {
            var key = (line.MessageId, line.Service);
            if (!groups.TryGetValue(key, out var group))
            {
                groups[key] = group = [];
                order.Add(key);
            }

            group.Add(line);
        }

        foreach (var key in order)
        {
            handlings.Add(new MessageHandling(handlings.Count, key.MessageId, key.Service, groups[key]));
        }

        var byMessageId = handlings
            .Where(h => h.MessageId is not null)
            .GroupBy(h => h.MessageId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

        var roots = new List<MessageHandling>();
        foreach (var handling in handlings)
        {
            var parent = FindParent(handling, byMessageId) ?? FindParentByDepth(handling, handlings);
            if (parent is null)
            {
                handling.CauseMissing = handling.CausationId is not null && !byMessageId.ContainsKey(handling.CausationId);
                roots.Add(handling);
                continue;
            }

            if (LeadsTo(parent, handling))
            {
                handling.CausationCycle = true;
                roots.Add(handling);
                continue;
            }

            handling.AttachTo(parent);
            if (!string.Equals(parent.Service, handling.Service, StringComparison.Ordinal) && handling.Start < parent.Start)
            {
                handling.ClockSkew = parent.Start - handling.Start;
            }
        }

        foreach (var handling in handlings)
        {
            handling.SortChildren();
        }

        roots.Sort(ByStart);
        return new Flow(correlationId, lines, handlings, roots);
    }

    /// <summary>
    /// Gives the lines without a timestamp a place in time: the flow is built once in read order, and its causation tree
    /// is walked depth-first (a message before the messages it caused, siblings in read order). An untimed line takes
    /// the time of the line before it in that walk (the flow's first timed line, or the Unix epoch, when none), plus
    /// one tick per untimed line, so that every renderer shows causation order.
    /// </summary>
    private static List<LogRecord> PlaceByCausation(string correlationId, List<LogRecord> lines)
    {
        if (lines.DistinctBy(static l => l.Sequence).Count() != lines.Count)
        {
            return lines; // no read order to go by
        }

        var byRead = lines.OrderBy(static l => l.Sequence).Select(static (l, i) => l with
        {
            Timestamp = l.HasTimestamp ? l.Timestamp : DateTimeOffset.UnixEpoch.AddTicks(i),
        });
        var provisional = BuildCore(correlationId, byRead.Select(static l => l with { HasTimestamp = true }));
        var placed = new List<LogRecord>(lines.Count);
        var last = lines.Where(static l => l.HasTimestamp).Select(static l => (DateTimeOffset?)l.Timestamp).Min() ?? DateTimeOffset.UnixEpoch;
        var bySequence = lines.ToDictionary(static l => l.Sequence);
        var stack = new Stack<MessageHandling>(Enumerable.Reverse(provisional.Roots));
        while (stack.TryPop(out var handling))
        {
            foreach (var record in handling.Records.OrderBy(static r => r.Sequence))
            {
                var original = bySequence[record.Sequence];
                last = original.HasTimestamp ? original.Timestamp : last.AddTicks(1);
                placed.Add(original.HasTimestamp ? original : original with { Timestamp = last });
            }

            foreach (var child in Enumerable.Reverse(handling.Children))
            {
                stack.Push(child);
            }
        }

        return placed;
    }

    private static MessageHandling? FindParent(MessageHandling handling, Dictionary<string, List<MessageHandling>> byMessageId)
    {
        if (handling.CausationId is null || !byMessageId.TryGetValue(handling.CausationId, out var candidates))
        {
            return null;
        }

        // Usually one candidate. When several services handled the causing message, pick the one that started last
        // before this handling (it most likely sent it), else the earliest.
        var others = candidates.Where(c => !ReferenceEquals(c, handling)).ToList();
        return others.Where(c => c.Start <= handling.Start).MaxBy(c => c.Start) ?? others.MinBy(c => c.Start);
    }

    /// <summary>
    /// For a handling that names no cause (an HTTP hop has no message ID) but knows its hop depth: the handling of
    /// another service one hop nearer the edge that started last before it, else the earliest such.
    /// </summary>
    private static MessageHandling? FindParentByDepth(MessageHandling handling, List<MessageHandling> handlings)
    {
        if (handling.CausationId is not null || handling.HopDepth is not { } depth || depth <= 0)
        {
            return null;
        }

        var candidates = handlings.Where(c => c.HopDepth == depth - 1 && !string.Equals(c.Service, handling.Service, StringComparison.Ordinal)).ToList();
        return candidates.Where(c => c.Start <= handling.Start).MaxBy(c => c.Start) ?? candidates.MinBy(c => c.Start);
    }

    /// <summary>Gets a value indicating whether <paramref name="target"/> is <paramref name="from"/> or one of its ancestors.</summary>
    private static bool LeadsTo(MessageHandling from, MessageHandling target)
    {
        for (var node = from; node is not null; node = node.Parent)
        {
            if (ReferenceEquals(node, target))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Finds a flow by exact ID, then case-insensitively, then by a unique prefix.</summary>
    public static FlowMatch Find(IReadOnlyList<Flow> flows, string id)
    {
        var exact = flows.FirstOrDefault(f => string.Equals(f.CorrelationId, id, StringComparison.Ordinal))
            ?? flows.FirstOrDefault(f => string.Equals(f.CorrelationId, id, StringComparison.OrdinalIgnoreCase));
        if (exact is not null)
        {
            return new FlowMatch(exact, []);
        }

        var prefixed = flows.Where(f => f.CorrelationId.StartsWith(id, StringComparison.OrdinalIgnoreCase)).ToList();
        return prefixed.Count == 1 ? new FlowMatch(prefixed[0], []) : new FlowMatch(null, prefixed);
    }
}

/// <summary>The result of looking a flow up by ID: the flow, or the ambiguous candidates.</summary>
internal sealed record FlowMatch(Flow? Flow, IReadOnlyList<Flow> Ambiguous);
