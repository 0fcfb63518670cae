using System.Diagnostics;
using System.Globalization;
using System.Text;
using Correlation.Messaging.Testing.Internal;

namespace Correlation.Messaging.Testing;

public sealed partial class FlowRecorder
{
    /// <summary>The quiet time of <see cref="WaitUntilQuietAsync(TimeSpan, CancellationToken)"/>: 200 ms.</summary>
    public static readonly TimeSpan DefaultQuietPeriod = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Waits until the flow is quiet: something was recorded, every message sent or published was consumed, no handler
    /// is running, and nothing new happened for <see cref="DefaultQuietPeriod"/>.
    /// </summary>
    /// <param name="timeout">How long to wait at most.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the flow is quiet.</returns>
    /// <exception cref="FlowAssertionException">The flow was not quiet within <paramref name="timeout"/>; the message lists what is still in flight.</exception>
    public Task WaitUntilQuietAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitUntilQuietAsync(timeout, DefaultQuietPeriod, cancellationToken);

    /// <summary>
    /// Waits until the flow is quiet: something was recorded, every message sent or published was consumed, no handler
    /// is running, and nothing new happened for <paramref name="quietPeriod"/>.
    /// </summary>
    /// <param name="timeout">How long to wait at most.</param>
    /// <param name="quietPeriod">How long nothing may happen before the flow counts as ended.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the flow is quiet.</returns>
    /// <exception cref="FlowAssertionException">The flow was not quiet within <paramref name="timeout"/>; the message lists what is still in flight.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> or <paramref name="quietPeriod"/> is negative.</exception>
    public Task WaitUntilQuietAsync(TimeSpan timeout, TimeSpan quietPeriod, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quietPeriod, TimeSpan.Zero);
        return WaitAsync(timeout, expected: null, quietPeriod, cancellationToken);
    }

    /// <summary>
    /// Waits until the recorded causation tree has the <paramref name="expected"/> shape and every message in it was
    /// consumed: the end of the flow is set by its shape, not by quiet time.
    /// </summary>
    /// <param name="expected">The expected shape.</param>
    /// <param name="timeout">How long to wait at most.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the tree has the shape and nothing is in flight.</returns>
    /// <exception cref="FlowAssertionException">The tree did not reach the shape within <paramref name="timeout"/>; the message shows both and what is in flight.</exception>
    public Task WaitUntilQuietAsync(FlowShape expected, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expected);
        return WaitAsync(timeout, expected, TimeSpan.Zero, cancellationToken);
    }

    private static List<FlowNode> InFlight(FlowTree tree) => [.. tree.Nodes.Where(n => n.InFlight)];

    private static string DescribeInFlight(List<FlowNode> inFlight)
    {
        var text = new StringBuilder();
        foreach (var node in inFlight)
        {
            var running = node.Handled.FirstOrDefault(h => !h.IsCompleted);
            text.AppendLine().Append("  ").Append(node.Label);
            if (node.Key[0] != '#')
            {
                text.Append(" (message_id=").Append(node.Key).Append(')');
            }

            if (running is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $": handler running on {running.Broker} {running.Destination} since {running.Started:HH:mm:ss.fff}");
            }
            else
            {
                var sent = node.Sent!;
                text.Append(CultureInfo.InvariantCulture, $": {(sent.Kind == RecordedHopKind.Send ? "sent" : "published")} via {sent.Broker}{(sent.Destination is null ? string.Empty : " to " + sent.Destination)} at {sent.Started:HH:mm:ss.fff}, never consumed");
            }
        }

        return text.ToString();
    }

    private async Task WaitAsync(TimeSpan timeout, FlowShape? expected, TimeSpan quietPeriod, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            Task changed;
            long lastChange;
            List<RecordedHop> hops;
            lock (_gate)
            {
                changed = _changed.Task;
                lastChange = _lastChange;
                hops = [.. _hops];
            }

            var tree = FlowTree.Build(hops);
            var inFlight = InFlight(tree);
            var now = Stopwatch.GetTimestamp();
            var quietFor = Stopwatch.GetElapsedTime(lastChange, now);
            var done = hops.Count > 0 && inFlight.Count == 0 && (expected is null ? quietFor >= quietPeriod : tree.ToShape().Equals(expected));
            if (done)
            {
                _quietAt = DateTimeOffset.UtcNow;
                return;
            }

            var left = TimeSpan.FromSeconds((double)(deadline - now) / Stopwatch.Frequency);
            if (left <= TimeSpan.Zero)
            {
                throw new FlowAssertionException(NotQuietMessage(timeout, expected, tree, inFlight, hops.Count));
            }

            // Wake on the next hop, or when the quiet period would be over, or at the deadline.
            var wait = expected is null && hops.Count > 0 && inFlight.Count == 0 ? Min(left, quietPeriod - quietFor) : left;
            await Task.WhenAny(changed, Task.Delay(Max(wait, TimeSpan.FromMilliseconds(1)), cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static string NotQuietMessage(TimeSpan timeout, FlowShape? expected, FlowTree tree, List<FlowNode> inFlight, int hops)
    {
        var text = new StringBuilder();
        var seconds = timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        if (hops == 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"The flow did not start within {seconds} s: no hop was recorded (is UseCorrelationPropagation, the correlating producer or the SQS client binding in place?).");
            return text.ToString();
        }

        text.Append(CultureInfo.InvariantCulture, $"The flow was not quiet after {seconds} s: ");
        text.Append(inFlight.Count == 0 ? "nothing is in flight" : string.Create(CultureInfo.InvariantCulture, $"{inFlight.Count} message(s) still in flight:"));
        text.Append(DescribeInFlight(inFlight));
        if (expected is not null)
        {
            text.AppendLine().Append("Expected shape: ").Append(expected).AppendLine().Append("Recorded shape: ").Append(tree.ToShape());
        }

        return text.AppendLine().AppendLine().Append(tree.Render()).ToString();
    }
}
