using System.Globalization;
using Correlation.Messaging.Timeline.Flows;

namespace Correlation.Messaging.Timeline.Rendering;

/// <summary>Writes flows as plain text (optionally with ANSI colours).</summary>
internal sealed class TextRenderer
{
    private const int StepWidth = 110;
    private const int LabelWidth = 60;
    private readonly bool _color;

    public TextRenderer(bool color = false) => _color = color;

    /// <summary>Writes one flow: summary, the lines in time order, and the causation tree.</summary>
    public void RenderFlow(Flow flow, TextWriter output)
    {
        var id = Display.Clean(flow.CorrelationId);
        output.WriteLine($"{Bold("Flow " + id)}  {StatusText(flow.Status)}");
        var when = flow.OrderedByCausation ? "lines without timestamps, ordered by causation" : Display.DateTime(flow.Start) + " UTC";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {when} · took {Display.Duration(flow.Duration)} · {Plural(flow.Services.Count, "service")} · {Plural(flow.MessageCount, "message")} · {Plural(flow.LineCount, "line")}{(flow.HasSpans ? " · with spans" : string.Empty)}"));
        if (flow.Origin is { } origin)
        {
            output.WriteLine($"  began in {Display.Clean(origin, 64)}");
        }

        foreach (var skewed in flow.Skewed)
        {
            output.WriteLine(Yellow($"  ! {SkewNote(skewed)}"));
        }

        foreach (var note in ShiftNotes(flow))
        {
            output.WriteLine(Yellow($"  ! {note}"));
        }

        output.WriteLine();
        output.WriteLine(Bold(flow.OrderedByCausation ? "Timeline (by causation, then read order)" : "Timeline (by time)"));
        var serviceWidth = Math.Max(7, flow.Services.Max(s => Display.Clean(s, 32).Length));
        var idWidth = Math.Max(7, flow.Records.Max(r => Display.ShortId(r.MessageId).Length));
        output.WriteLine(Dim($"  {"TIME (UTC)",-12}  {"+PREV",9}  {"SERVICE".PadRight(serviceWidth)}  {"MESSAGE".PadRight(idWidth)}  STEP"));
        var previous = flow.Start;
        foreach (var record in flow.Records)
        {
            if (record.Kind == Input.RecordKind.SpanEnd && !record.IsFailure)
            {
                continue; // a span's end is the end of its bar; only a failed end is a step
            }

            var marker = record.IsFailure ? "✗ " : record.IsRetry ? "↻ " : string.Empty;
            var step = marker + Display.Clean(record.Step, StepWidth);
            step = record.IsFailure ? Red(step) : record.IsRetry ? Yellow(step) : step;
            output.WriteLine($"  {Display.Time(record.Timestamp),-12}  {Dim(Display.Delta(record.Timestamp - previous).PadLeft(9))}  {Display.Clean(record.Service, 32).PadRight(serviceWidth)}  {Display.ShortId(record.MessageId).PadRight(idWidth)}  {step}");
            if (record.IsFailure && record.Exception is not null)
            {
                // The exception's first line, under the step.
                var pad = new string(' ', 2 + 12 + 2 + 9 + 2 + serviceWidth + 2 + idWidth + 2 + 2);
                output.WriteLine(pad + Red(Display.Clean(Input.LogLineParser.FirstLine(record.Exception), StepWidth)));
            }
            previous = record.Timestamp;
        }

        output.WriteLine();
        output.WriteLine(Bold("Causation tree"));
        output.WriteLine($"  ● {id}");
        for (var i = 0; i < flow.Roots.Count; i++)
        {
            WriteNode(flow.Roots[i], "  ", i == flow.Roots.Count - 1, output);
        }
    }

    private void WriteNode(MessageHandling node, string indent, bool last, TextWriter output)
    {
        var connector = last ? "└─ " : "├─ ";
        var id = node.MessageId is null ? "(no message id)" : Display.ShortId(node.MessageId);
        var text = $"{Display.Clean(node.Service, 32)}  {id}  {Display.Clean(node.Label, LabelWidth)}  @{Display.Time(node.Start)}  {Display.Duration(node.Duration)}";
        output.WriteLine($"{indent}{connector}{text}{Markers(node)}");
        var childIndent = indent + (last ? "   " : "│  ");
        for (var i = 0; i < node.Children.Count; i++)
        {
            WriteNode(node.Children[i], childIndent, i == node.Children.Count - 1, output);
        }
    }

    private string Markers(MessageHandling node)
    {
        var markers = new List<string>();
        switch (node.Outcome)
        {
            case HandlingOutcome.Failed:
                markers.Add(Red(node.Retries > 0 ? $"✗ failed after {Plural(node.Retries, "retry", "retries")}" : "✗ failed"));
                break;
            case HandlingOutcome.Retried:
                markers.Add(Yellow($"↻ retried {node.Retries}×" + (node.Failures > 0 ? $" ({Plural(node.Failures, "failure")})" : string.Empty)));
                break;
        }

        if (node.CauseMissing)
        {
            markers.Add(Yellow($"(cause not in logs: {Display.ShortId(node.CausationId)})"));
        }

        if (node.CausationCycle)
        {
            markers.Add(Yellow("(causation loop cut here)"));
        }

        if (node.ClockSkew is { } skew)
        {
            markers.Add(Yellow($"⚠ clock skew ~{Display.Duration(skew)}"));
        }

        return markers.Count == 0 ? string.Empty : "  " + string.Join("  ", markers);
    }

    /// <summary>Writes the list of flows, most recent first.</summary>
    public void RenderList(IReadOnlyList<Flow> flows, int limit, TextWriter output) => RenderList(flows.Select(FlowSummary.Of).ToList(), limit, output);

    /// <summary>Writes the list of flows, most recent first.</summary>
    public void RenderList(IReadOnlyList<FlowSummary> flows, int limit, TextWriter output)
    {
        var shown = flows.Take(limit).ToList();
        output.WriteLine(Dim($"{"STARTED (UTC)",-23}  {"DURATION",9}  {"SERVICES",8}  {"MESSAGES",8}  {"LINES",6}  {"STATUS",-15}  CORRELATION ID"));
        foreach (var flow in shown)
        {
            var status = StatusText(flow.Status).PadRight(15 + (_color ? 9 : 0));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Display.DateTime(flow.Start),-23}  {Display.Duration(flow.Duration),9}  {flow.ServiceCount,8}  {flow.MessageCount,8}  {flow.LineCount,6}  {status}  {Display.Clean(flow.CorrelationId)}"));
        }

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(shown.Count < flows.Count ? $"Showing {shown.Count} of {Plural(flows.Count, "flow")}" : Plural(flows.Count, "flow"))} (most recent first). Details of one: corr-timeline <logs> --id <correlation id>"));
    }

    /// <summary>Describes the clock shifts applied to read a flow in hop order.</summary>
    internal static IEnumerable<string> ShiftNotes(Flow flow) => flow.ClockShifts
        .OrderBy(static p => p.Key, StringComparer.Ordinal)
        .Select(static p => $"clocks disagree: {Display.Clean(p.Key, 32)} logged hops before their cause; its times are shifted by +{Display.Duration(p.Value)} to follow hop depth (correlation_depth)");

    /// <summary>Writes the flows linked to this one: the ones it was started from, and the ones started from it.</summary>
    public void RenderLinks(Flow flow, IReadOnlyList<FlowLink> links, TextWriter output)
    {
        if (links.Count == 0)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine(Bold("Linked flows"));
        foreach (var link in links)
        {
            var what = link.Direction == LinkDirection.Previous ? "previous" : "next    ";
            var details = link.Summary is { } s
                ? string.Create(CultureInfo.InvariantCulture, $"  {Display.DateTime(s.Start)} UTC · {Display.Duration(s.Duration)} · {Plural(s.LineCount, "line")} · {Flow.StatusText(s.Status)}")
                : "  (not in the logs read)";
            output.WriteLine($"  {what}  {Display.Clean(link.CorrelationId)}{details}");
        }

        output.WriteLine(Dim($"  Details of one: corr-timeline <logs> --id <correlation id>"));
    }

    internal static string SkewNote(MessageHandling skewed) =>
        $"clock skew ~{Display.Duration(skewed.ClockSkew ?? TimeSpan.Zero)}: {Display.Clean(skewed.Service, 32)} logged {Display.ShortId(skewed.MessageId)} before its cause {Display.ShortId(skewed.Parent?.MessageId)} in {Display.Clean(skewed.Parent?.Service, 32)} (tree ordered by causation, timeline by time)";

    private string StatusText(FlowStatus status) => status switch
    {
        FlowStatus.Failed => Red(Flow.StatusText(status)),
        FlowStatus.RetriedThenOk => Yellow(Flow.StatusText(status)),
        _ => Green(Flow.StatusText(status)),
    };

    private static string Plural(int count, string one, string? many = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? one : many ?? one + "s")}");

    private string Red(string text) => Paint("31", text);

    private string Yellow(string text) => Paint("33", text);

    private string Green(string text) => Paint("32", text);

    private string Dim(string text) => Paint("2", text);

    private string Bold(string text) => Paint("1", text);

    private string Paint(string code, string text) => _color ? $"\u001b[{code}m{text}\u001b[0m" : text;
}
