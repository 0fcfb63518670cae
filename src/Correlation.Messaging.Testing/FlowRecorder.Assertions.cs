using System.Globalization;
using System.Text;
using Correlation.Messaging.Testing.Internal;

namespace Correlation.Messaging.Testing;

public sealed partial class FlowRecorder
{
    /// <summary>Asserts that every recorded hop carried the same correlation ID, and returns it.</summary>
    /// <returns>The flow's correlation ID.</returns>
    /// <exception cref="FlowAssertionException">Nothing was recorded, or the hops carried several IDs; the message lists them with the tree.</exception>
    public string AssertOneCorrelationId()
    {
        var hops = Hops;
        var tree = FlowTree.Build(hops);
        var ids = hops.GroupBy(h => h.CorrelationId, StringComparer.Ordinal).ToList();
        if (ids.Count == 1)
        {
            return ids[0].Key;
        }

        var text = new StringBuilder();
        if (ids.Count == 0)
        {
            text.Append("Expected one correlation ID across the flow, but nothing was recorded.");
            throw new FlowAssertionException(text.ToString());
        }

        text.Append(CultureInfo.InvariantCulture, $"Expected one correlation ID across the flow, but found {ids.Count}:");
        foreach (var id in ids)
        {
            var first = id.First();
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"  {id.Key}: {id.Count()} hop(s), first {first.Kind} {first.Name ?? first.Destination} via {first.Broker}");
        }

        throw Fail(text, tree);
    }

    /// <summary>Asserts that the recorded causation tree has the expected shape (see <see cref="FlowShape"/> for the syntax).</summary>
    /// <param name="expected">The expected shape, for example <c>Http(POST /orders) → OrderPlaced → { OrderLineRequested ×3 → ShipmentRequested }</c>.</param>
    /// <exception cref="FlowAssertionException">The shapes differ; the message shows both, and the tree.</exception>
    /// <exception cref="FormatException"><paramref name="expected"/> is not a shape.</exception>
    public void AssertShape(string expected) => AssertShape(FlowShape.Parse(expected));

    /// <summary>Asserts that the recorded causation tree has the expected shape.</summary>
    /// <param name="expected">The expected shape.</param>
    /// <exception cref="FlowAssertionException">The shapes differ; the message shows both, and the tree.</exception>
    public void AssertShape(FlowShape expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var tree = FlowTree.Build(Hops);
        var actual = tree.ToShape();
        if (actual.Equals(expected))
        {
            return;
        }

        var text = new StringBuilder()
            .Append("Expected the causation tree").AppendLine()
            .Append("  ").Append(expected).AppendLine()
            .Append("but recorded").AppendLine()
            .Append("  ").Append(actual);
        throw Fail(text, tree);
    }

    /// <summary>
    /// Asserts that no hop started a new flow: every message carries its cause's correlation ID, and no ID was generated
    /// or replaced after the first hop (a consumer that found no valid ID, a send from code outside any flow).
    /// </summary>
    /// <exception cref="FlowAssertionException">A hop started a new flow; the message names it, its cause and both IDs, with the tree.</exception>
    public void AssertNoNewFlowStarted()
    {
        var tree = FlowTree.Build(Hops);
        var offenders = tree.Nodes.Where(n => n.StartedNewFlow).ToList();
        if (offenders.Count == 0)
        {
            return;
        }

        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Expected no hop to start a new flow, but {offenders.Count} did:");
        foreach (var node in offenders)
        {
            var hop = node.Hops.FirstOrDefault(h => h.IdWasGenerated) ?? node.Hops[0];
            text.AppendLine().Append("  ").Append(node.Label).Append(CultureInfo.InvariantCulture, $" ({hop.Kind} via {hop.Broker}) has correlation_id {hop.CorrelationId}");
            if (node.Parent is { } parent)
            {
                text.Append(CultureInfo.InvariantCulture, $" but its cause {parent.Label} has {parent.Hops[0].CorrelationId}");
            }
            else if (hop.CausationId is null)
            {
                text.Append(CultureInfo.InvariantCulture, $", no causation ID, and is not the flow's first message (correlation_id {tree.CorrelationId})");
            }

            if (hop.IdWasGenerated)
            {
                text.Append("; the ID was generated there");
            }
        }

        throw Fail(text, tree);
    }

    /// <summary>
    /// Asserts that no message outlived its flow: every message sent was consumed, no handler is still running, and (after
    /// <see cref="WaitUntilQuietAsync(TimeSpan, CancellationToken)"/>) nothing happened after the flow was quiet.
    /// </summary>
    /// <exception cref="FlowAssertionException">A message outlived the flow; the message lists each one, with the tree.</exception>
    public void AssertNothingOutlivedFlow()
    {
        var hops = Hops;
        var tree = FlowTree.Build(hops);
        var inFlight = InFlight(tree);
        var quietAt = _quietAt;
        var late = quietAt is { } end ? hops.Where(h => h.Started > end).ToList() : [];
        if (inFlight.Count == 0 && late.Count == 0)
        {
            return;
        }

        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Expected no message to outlive its flow, but {inFlight.Count + late.Count} did:");
        text.Append(DescribeInFlight(inFlight));
        foreach (var hop in late)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"  {hop.Name ?? hop.Destination} (message_id={hop.MessageId ?? "-"}): {hop.Kind} at {hop.Started:HH:mm:ss.fff}, after the flow was quiet at {quietAt:HH:mm:ss.fff}");
        }

        throw Fail(text, tree);
    }

    private static FlowAssertionException Fail(StringBuilder text, FlowTree tree) =>
        new(text.AppendLine().AppendLine().Append(tree.Render()).ToString());
}
