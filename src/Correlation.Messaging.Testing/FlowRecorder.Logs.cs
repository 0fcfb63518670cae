using System.Globalization;
using System.Text;
using Correlation.Messaging.Testing.Internal;
using Correlation.Messaging.Testing.Logs;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Testing;

public sealed partial class FlowRecorder
{
    private readonly List<CapturedLogLine> _logs = [];

    /// <summary>
    /// Returns a logger provider to add to the application's logging (<c>logging.AddProvider(recorder.CaptureLogs())</c>):
    /// it notes each log line's <c>correlation_id</c> scope field and the hop being handled when it was written, for
    /// <see cref="AssertLogsCarryCorrelationId"/>, and passes every line on to <paramref name="inner"/>.
    /// </summary>
    /// <param name="inner">The provider that really writes the lines (for example <c>Microsoft.Extensions.Diagnostics.Testing</c>'s
    /// <c>FakeLoggerProvider</c>), or <see langword="null"/> for none. Its scopes are the application's, as without the recorder.</param>
    /// <returns>The provider.</returns>
    public ILoggerProvider CaptureLogs(ILoggerProvider? inner = null) => new FlowLogProvider(
        line =>
        {
            lock (_gate)
            {
                _logs.Add(line);
            }
        },
        () => Active.Value is { } active ? Recorded(active.Hop) : null,
        inner);

    /// <summary>
    /// Asserts that every log line written while a recorded hop was being handled (a consumer, an HTTP request) carries
    /// that hop's correlation ID in its <c>correlation_id</c> scope field.
    /// </summary>
    /// <exception cref="FlowAssertionException">
    /// A line lacks the field or carries another ID; or no line was written while a hop was handled (so the assertion
    /// would prove nothing: is <see cref="CaptureLogs"/> registered?). The message quotes the lines, with the tree.
    /// </exception>
    public void AssertLogsCarryCorrelationId()
    {
        List<CapturedLogLine> lines;
        lock (_gate)
        {
            lines = [.. _logs.Where(l => l.Hop is not null)];
        }

        var tree = FlowTree.Build(Hops);
        if (lines.Count == 0)
        {
            throw Fail(new StringBuilder("Expected log lines written while the flow was handled, but there were none: add recorder.CaptureLogs() to the application's logging providers."), tree);
        }

        var wrong = lines.Where(l => !string.Equals(l.CorrelationId, l.Hop!.CorrelationId, StringComparison.Ordinal)).ToList();
        if (wrong.Count == 0)
        {
            return;
        }

        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Expected every log line written while the flow was handled to carry its correlation_id, but {wrong.Count} of {lines.Count} did not:");
        foreach (var line in wrong)
        {
            var hop = line.Hop!;
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"  [{line.Level}] {line.Category}: \"{line.Message}\" while handling {hop.Name ?? hop.Destination} (message_id={hop.MessageId ?? "-"}, correlation_id={hop.CorrelationId}): ")
                .Append(line.CorrelationId is null ? "no correlation_id" : "correlation_id=" + line.CorrelationId);
        }

        throw Fail(text, tree);
    }
}
