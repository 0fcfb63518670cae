using System.Globalization;
using System.Text;

namespace Correlation.Messaging.Testing.Internal;

/// <summary>
/// The causation tree of a set of recorded hops: one node per message (its send and its handlings, joined by message
/// ID), under the message that caused it (its causation ID). Messages whose cause was not recorded are roots.
/// </summary>
internal sealed class FlowTree
{
    private FlowTree(IReadOnlyList<FlowNode> roots, IReadOnlyList<FlowNode> nodes)
    {
        Roots = roots;
        Nodes = nodes;
    }

    public IReadOnlyList<FlowNode> Roots { get; }

    public IReadOnlyList<FlowNode> Nodes { get; }

    public static FlowTree Build(IReadOnlyList<RecordedHop> hops)
    {
        var byKey = new Dictionary<string, FlowNode>(StringComparer.Ordinal);
        var nodes = new List<FlowNode>();
        foreach (var hop in hops)
        {
            var key = hop.MessageId is { } id && hop.Kind != RecordedHopKind.HttpOut ? id : "#" + hop.Sequence.ToString(CultureInfo.InvariantCulture);
            if (!byKey.TryGetValue(key, out var node))
            {
                node = new FlowNode(key);
                byKey.Add(key, node);
                nodes.Add(node);
            }

            node.Add(hop);
        }

        var roots = new List<FlowNode>();
        foreach (var node in nodes)
        {
            if (node.CausationId is { } cause && byKey.TryGetValue(cause, out var parent) && parent != node && !parent.IsDescendantOf(node))
            {
                node.Parent = parent;
                parent.Children.Add(node);
            }
            else
            {
                roots.Add(node);
            }
        }

        var flowId = roots.Count > 0 ? roots[0].Hops[0].CorrelationId : null;
        foreach (var node in nodes)
        {
            var expected = node.Parent?.Hops[0].CorrelationId ?? flowId;
            node.StartedNewFlow = node.Hops.Any(h =>
                !string.Equals(h.CorrelationId, expected, StringComparison.Ordinal)
                || (h.IdWasGenerated && (node.Parent is not null || node != roots[0] || h.Kind == RecordedHopKind.Consume)));
        }

        return new FlowTree(roots, nodes);
    }

    /// <summary>Gets the correlation ID of the flow: the first root's.</summary>
    public string? CorrelationId => Roots.Count > 0 ? Roots[0].Hops[0].CorrelationId : null;

    public FlowShape ToShape()
    {
        if (Roots.Count == 1)
        {
            return ShapeOf(Roots[0]);
        }

        return FlowShape.Create(null, Roots.Select(ShapeOf));
    }

    public string Render()
    {
        var text = new StringBuilder();
        var hops = Nodes.Sum(n => n.Hops.Count);
        var ids = Nodes.SelectMany(n => n.Hops).Select(h => h.CorrelationId).Distinct(StringComparer.Ordinal).Count();
        text.Append(CultureInfo.InvariantCulture, $"Recorded flow: {hops} hop(s), {Nodes.Count} message(s), {ids} correlation ID(s)");
        if (hops == 0)
        {
            return text.Append(" (nothing was recorded)").ToString();
        }

        text.Append(':');
        for (var i = 0; i < Roots.Count; i++)
        {
            Render(text, Roots[i], string.Empty, i == Roots.Count - 1);
        }

        return text.ToString();
    }

    private static FlowShape ShapeOf(FlowNode node) => FlowShape.Create(node.Label, node.Children.Select(ShapeOf));

    private static void Render(StringBuilder text, FlowNode node, string indent, bool last)
    {
        text.AppendLine().Append(indent).Append(last ? "└─ " : "├─ ").Append(node.Label);
        var first = node.Hops[0];
        text.Append("  [").Append(first.Broker);
        if (first.Destination is not null && !string.Equals(first.Destination, node.Label, StringComparison.Ordinal))
        {
            text.Append(' ').Append(first.Destination);
        }

        text.Append("] correlation_id=").Append(first.CorrelationId);
        if (node.Key[0] != '#')
        {
            text.Append(" message_id=").Append(node.Key);
        }

        text.Append(" · ").Append(node.Status);
        if (node.StartedNewFlow)
        {
            text.Append("  ◀ started a new flow");
        }

        var childIndent = indent + (last ? "   " : "│  ");
        for (var i = 0; i < node.Children.Count; i++)
        {
            Render(text, node.Children[i], childIndent, i == node.Children.Count - 1);
        }
    }
}

/// <summary>One message (or request) of a <see cref="FlowTree"/>: its send and its handlings.</summary>
internal sealed class FlowNode(string key)
{
    public string Key { get; } = key;

    public List<RecordedHop> Hops { get; } = [];

    public RecordedHop? Sent => Hops.FirstOrDefault(h => h.IsSent || h.Kind == RecordedHopKind.HttpOut);

    public IEnumerable<RecordedHop> Handled => Hops.Where(h => h.Kind is RecordedHopKind.Consume or RecordedHopKind.HttpIn);

    public FlowNode? Parent { get; set; }

    public List<FlowNode> Children { get; } = [];

    public string? CausationId => (Sent ?? Hops[0]).CausationId;

    public string Label
    {
        get
        {
            var first = Hops[0];
            return first.Kind switch
            {
                RecordedHopKind.HttpIn => "Http(" + first.Name + ")",
                RecordedHopKind.HttpOut => "Call(" + first.Name + ")",
                _ => Handled.FirstOrDefault(h => h.Name is not null)?.Name ?? Sent?.Name ?? first.Destination ?? first.Broker,
            };
        }
    }

    /// <summary>Gets whether a message is still in flight: sent and never handled, or being handled.</summary>
    public bool InFlight => (Sent is { IsSent: true } && !Handled.Any()) || Handled.Any(h => !h.IsCompleted);

    /// <summary>
    /// Gets whether the message started a new flow: its correlation ID is not its cause's (or, for a root, not the first
    /// root's), or it was generated or replaced on the way in.
    /// </summary>
    public bool StartedNewFlow { get; set; }

    public string Status
    {
        get
        {
            var sent = Sent;
            var handled = Handled.ToList();
            var text = new StringBuilder();
            if (sent is not null)
            {
                text.Append(sent.Kind switch
                {
                    RecordedHopKind.Send => "sent",
                    RecordedHopKind.Publish => "published",
                    _ => "called",
                });
            }

            if (handled.Count == 0)
            {
                return sent is { IsSent: true } ? text.Append(", NOT CONSUMED (in flight)").ToString() : text.ToString();
            }

            if (text.Length > 0)
            {
                text.Append(", ");
            }

            text.Append(handled[0].Kind == RecordedHopKind.HttpIn ? "handled" : "consumed");
            if (handled.Count > 1)
            {
                text.Append(CultureInfo.InvariantCulture, $" ×{handled.Count}");
            }

            text.Append(": ").AppendJoin(", ", handled.Select(h => h.Duration is { } d
                ? string.Create(CultureInfo.InvariantCulture, $"{h.Outcome} in {d.TotalMilliseconds:0} ms")
                : h.Outcome));
            return text.ToString();
        }
    }

    public void Add(RecordedHop hop) => Hops.Add(hop);

    public bool IsDescendantOf(FlowNode other)
    {
        for (var p = Parent; p is not null; p = p.Parent)
        {
            if (p == other)
            {
                return true;
            }
        }

        return false;
    }
}
