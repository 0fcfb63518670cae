using System.Globalization;
using System.Net;
using System.Text;
using Correlation.Messaging.Timeline.Flows;

namespace Correlation.Messaging.Timeline.Rendering;

/// <summary>
/// Writes one flow as a self-contained HTML page (inline CSS, SVG and a few lines of JS; no external assets): a Gantt
/// chart with one lane per service and one bar per message handling, causation arrows, failure and retry markers,
/// then the causation tree and the table of lines. Every log-derived string is cleaned and HTML-encoded.
/// </summary>
internal static class HtmlRenderer
{
    private const double Width = 1320;
    private const double ChartLeft = 200;
    private const double ChartRight = Width - 40;
    private const double AxisHeight = 36;
    private const double RowHeight = 30;
    private const double BarHeight = 18;
    private const double LanePadding = 8;
    private const double CharWidth = 6.4;

    private static readonly string[] Palette = ["#4e79a7", "#59a14f", "#b07aa1", "#76b7b2", "#9c755f", "#5f9ed1", "#8e6c8a", "#6b8e23"];

    public static string Render(Flow flow, IReadOnlyList<FlowLink>? links = null)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        Render(flow, writer, links);
        return writer.ToString();
    }

    /// <summary>Gets the file name of a flow's page, as linked flows' pages are written and linked: its ID, cleaned for a file name.</summary>
    public static string PageName(string correlationId)
    {
        var name = new StringBuilder("flow-");
        foreach (var c in correlationId.Take(100))
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        return name.Append(".html").ToString();
    }

    public static void Render(Flow flow, TextWriter output, IReadOnlyList<FlowLink>? links = null)
    {
        var html = new StringBuilder();
        var id = E(flow.CorrelationId);
        var status = Flow.StatusText(flow.Status);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>Flow ").Append(id).Append(" · corr-timeline</title>\n<style>").Append(Css).Append("</style>\n</head>\n<body>\n");
        html.Append("<header><h1>Flow <code>").Append(id).Append("</code> <span class=\"badge ").Append(status).Append("\">").Append(status).Append("</span></h1>\n");
        html.Append(Inv($"<p class=\"meta\">{Display.DateTime(flow.Start)} UTC · took <b>{E(Display.Duration(flow.Duration))}</b> · {flow.Services.Count} services · {flow.MessageCount} messages · {flow.LineCount} log lines{(flow.HasSpans ? " · with spans" : string.Empty)}{(flow.Origin is { } origin ? " · began in " + E(origin) : string.Empty)}</p>\n"));
        foreach (var skewed in flow.Skewed)
        {
            html.Append("<p class=\"note\">⚠ ").Append(E(TextRenderer.SkewNote(skewed))).Append("</p>\n");
        }

        foreach (var note in TextRenderer.ShiftNotes(flow))
        {
            html.Append("<p class=\"note shift\">⚠ ").Append(E(note)).Append("</p>\n");
        }

        if (links is { Count: > 0 })
        {
            html.Append("<nav class=\"links\" aria-label=\"Linked flows\"><h2>Linked flows</h2><ul>\n");
            foreach (var link in links)
            {
                var what = link.Direction == LinkDirection.Previous ? "previous flow" : "next flow";
                html.Append("<li class=\"link ").Append(link.Direction == LinkDirection.Previous ? "previous" : "next").Append("\">").Append(what).Append(" <a href=\"").Append(E(PageName(link.CorrelationId))).Append("\"><code>").Append(E(link.CorrelationId)).Append("</code></a>");
                html.Append(link.Summary is { } summary
                    ? Inv($" <span class=\"dim\">{Display.DateTime(summary.Start)} UTC · {E(Display.Duration(summary.Duration))} · {summary.LineCount} lines · {Flow.StatusText(summary.Status)}</span>")
                    : " <span class=\"dim\">(not in the logs read)</span>");
                html.Append("</li>\n");
            }

            html.Append("</ul></nav>\n");
        }

        html.Append("</header>\n<main>\n<section><h2>Across services</h2>\n");
        AppendGantt(flow, html);
        html.Append("<p class=\"legend\"><span class=\"mk fail\">✕</span> failure <span class=\"mk retry\">↻</span> retry ")
            .Append("<span class=\"tick\"></span> log line <svg width=\"34\" height=\"10\"><line x1=\"2\" y1=\"5\" x2=\"30\" y2=\"5\" class=\"arrow\"/></svg> caused ")
            .Append("<svg width=\"34\" height=\"10\"><line x1=\"2\" y1=\"5\" x2=\"30\" y2=\"5\" class=\"arrow skew\"/></svg> caused, clock skew ")
            .Append("<span class=\"mk orphan\">?</span> cause not in logs</p>\n</section>\n");

        html.Append("<section class=\"later\"><h2>Causation tree</h2>\n<ul class=\"tree\"><li><span class=\"root\">● ").Append(id).Append("</span>\n");
        AppendTree(flow.Roots, html);
        html.Append("</li></ul>\n</section>\n");

        AppendTable(flow, html);
        html.Append("</main>\n<footer>corr-timeline · times in UTC · bars span the first to the last log line of one message in one service</footer>\n");
        html.Append("<script>").Append(Script).Append("</script>\n</body>\n</html>\n");
        output.Write(html.ToString());
    }

    private static void AppendGantt(Flow flow, StringBuilder html)
    {
        var scale = new TimeScale(flow.Records.Select(r => (r.Timestamp - flow.Start).TotalMilliseconds), flow.Duration.TotalMilliseconds, ChartLeft, ChartRight);
        double X(DateTimeOffset t) => scale.X((t - flow.Start).TotalMilliseconds);

        // Lanes in order of first appearance; bars packed into rows so that neither bars nor labels overlap.
        var lanes = LaneOrder(flow).Select((service, i) => (Service: service, Color: Palette[i % Palette.Length], Rows: new List<double>())).ToList();
        var laneOf = lanes.Select((lane, i) => (lane.Service, i)).ToDictionary(p => p.Service, p => p.i, StringComparer.Ordinal);
        var placement = new Dictionary<MessageHandling, (int Lane, int Row, double X0, double X1, string Label, LabelPlace Place)>();
        foreach (var handling in flow.Handlings.OrderBy(h => h.Start).ThenBy(h => h.Index))
        {
            var lane = laneOf[handling.Service];
            var x0 = X(handling.Start);
            var x1 = Math.Max(X(handling.End), x0 + 6);
            var label = Display.Clean(handling.Label, 64) + " · " + (handling.MessageId is null ? "no message id" : Display.ShortId(handling.MessageId));
            var labelWidth = (label.Length * CharWidth) + 10;

            // The label goes inside a wide bar, else right of it, else left of it, else it is cut to fit on the right.
            var place = x1 - x0 >= labelWidth ? LabelPlace.Inside
                : x1 + labelWidth <= Width - 8 ? LabelPlace.Right
                : x0 - labelWidth >= ChartLeft - 20 ? LabelPlace.Left
                : LabelPlace.Right;
            if (place == LabelPlace.Right && x1 + labelWidth > Width - 8)
            {
                label = Display.Clean(label, Math.Max(8, (int)((Width - 8 - x1 - 10) / CharWidth)));
                labelWidth = (label.Length * CharWidth) + 10;
            }

            var from = place == LabelPlace.Left ? x0 - labelWidth : x0;
            var to = place == LabelPlace.Right ? x1 + labelWidth : x1;
            var rows = lanes[lane].Rows;
            var row = rows.FindIndex(end => end + 4 <= from);
            if (row < 0)
            {
                rows.Add(0);
                row = rows.Count - 1;
            }

            rows[row] = to;
            placement[handling] = (lane, row, x0, x1, label, place);
        }

        var laneTop = new double[lanes.Count];
        var y = AxisHeight;
        for (var i = 0; i < lanes.Count; i++)
        {
            laneTop[i] = y;
            y += (Math.Max(1, lanes[i].Rows.Count) * RowHeight) + (2 * LanePadding);
        }

        var height = y + (scale.Gaps.Count > 0 ? 26 : 12);
        double BarY(MessageHandling h) => laneTop[placement[h].Lane] + LanePadding + (placement[h].Row * RowHeight) + ((RowHeight - BarHeight) / 2);

        html.Append(Inv($"<div class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {height:0}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" role=\"img\" aria-label=\"Gantt chart of the flow\">\n"));
        html.Append("<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#f8f9fb\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#dde2e8\" stroke-width=\"2\"/></pattern><marker id=\"ah\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker>")
            .Append("<marker id=\"ahs\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#d97706\"/></marker></defs>\n");

        // Lanes and their labels.
        for (var i = 0; i < lanes.Count; i++)
        {
            var laneHeight = (Math.Max(1, lanes[i].Rows.Count) * RowHeight) + (2 * LanePadding);
            html.Append(Inv($"<rect x=\"0\" y=\"{laneTop[i]:0.#}\" width=\"{Width}\" height=\"{laneHeight:0.#}\" class=\"lane{(i % 2 == 0 ? string.Empty : " alt")}\"/>"));
            html.Append(Inv($"<rect x=\"12\" y=\"{laneTop[i] + (laneHeight / 2) - 6:0.#}\" width=\"12\" height=\"12\" rx=\"3\" fill=\"{lanes[i].Color}\"/>"));
            html.Append(Inv($"<text x=\"30\" y=\"{laneTop[i] + (laneHeight / 2) + 4:0.#}\" class=\"lanelabel\">{E(Display.Clean(lanes[i].Service, 24))}</text>\n"));
        }

        // Time axis, and collapsed quiet gaps.
        foreach (var (start, end) in scale.Gaps)
        {
            var gx = scale.X(start);
            html.Append(Inv($"<rect x=\"{gx + 4:0.#}\" y=\"{AxisHeight - 4}\" width=\"{TimeScale.GapWidth - 8:0.#}\" height=\"{height - AxisHeight - 8:0.#}\" class=\"gap\"/>"));
            html.Append(Inv($"<text x=\"{gx + (TimeScale.GapWidth / 2):0.#}\" y=\"{height - 2:0.#}\" class=\"gaplabel\">{E(Display.Duration(TimeSpan.FromMilliseconds(end - start)))} quiet</text>\n"));
        }

        foreach (var t in scale.Ticks())
        {
            var x = scale.X(t);
            html.Append(Inv($"<line x1=\"{x:0.#}\" y1=\"{AxisHeight - 6}\" x2=\"{x:0.#}\" y2=\"{height - 14:0.#}\" class=\"grid\"/>"));
            html.Append(Inv($"<text x=\"{x:0.#}\" y=\"{AxisHeight - 12}\" class=\"axis\">{E(AxisLabel(t, scale.Step))}</text>\n"));
        }

        // Causation arrows, under the bars.
        foreach (var handling in flow.Handlings)
        {
            if (handling.Parent is not { } parent)
            {
                continue;
            }

            var p = placement[parent];
            var c = placement[handling];
            var px = Math.Clamp(c.X0, p.X0, p.X1);
            var parentY = BarY(parent);
            var childY = BarY(handling);
            var down = childY >= parentY;
            var py = down ? parentY + BarHeight : parentY;
            var cy = down ? childY : childY + BarHeight;
            if (Math.Abs(childY - parentY) < 1)
            {
                py = parentY + (BarHeight / 2);
                cy = childY + (BarHeight / 2);
            }

            var mid = (py + cy) / 2;
            var skew = handling.ClockSkew is not null;
            html.Append(Inv($"<path d=\"M{px:0.#},{py:0.#} C{px:0.#},{mid:0.#} {c.X0 + 3:0.#},{mid:0.#} {c.X0 + 3:0.#},{cy:0.#}\" class=\"arrow{(skew ? " skew" : string.Empty)}\" marker-end=\"url(#{(skew ? "ahs" : "ah")})\" data-h=\"{handling.Index}\"/>\n"));
        }

        // Bars, log-line ticks, markers.
        foreach (var handling in flow.Handlings)
        {
            var (lane, _, x0, x1, label, place) = placement[handling];
            var by = BarY(handling);
            var outcome = handling.Outcome switch { HandlingOutcome.Failed => " failed", HandlingOutcome.Retried => " retried", _ => string.Empty };
            html.Append(Inv($"<g class=\"bar{outcome}\" data-h=\"{handling.Index}\" tabindex=\"0\" role=\"button\" aria-label=\"{E(handling.Service + ": " + handling.Label + (handling.Outcome == HandlingOutcome.Failed ? " (failed)" : handling.Outcome == HandlingOutcome.Retried ? " (retried)" : string.Empty))}\"><title>{E(Tooltip(handling))}</title>"));
            html.Append(Inv($"<rect x=\"{x0:0.#}\" y=\"{by:0.#}\" width=\"{x1 - x0:0.#}\" height=\"{BarHeight}\" rx=\"4\" fill=\"{lanes[lane].Color}\"/>"));
            foreach (var record in handling.Records.Where(static r => r.Kind == Input.RecordKind.Log))
            {
                var x = X(record.Timestamp);
                html.Append(Inv($"<line x1=\"{x:0.#}\" y1=\"{by + 3:0.#}\" x2=\"{x:0.#}\" y2=\"{by + BarHeight - 3:0.#}\" class=\"tick\"/>"));
            }

            var (textX, textClass) = place switch
            {
                LabelPlace.Inside => (x0 + 6, "in"),
                LabelPlace.Left => (x0 - 6, "out left"),
                _ => (x1 + 6, "out"),
            };
            html.Append(Inv($"<text x=\"{textX:0.#}\" y=\"{by + 13:0.#}\" class=\"{textClass}\">{E(label)}</text>"));
            foreach (var record in handling.Records.Where(r => r.IsFailure || r.IsRetry))
            {
                var x = X(record.Timestamp);
                var kind = record.IsFailure ? "fail" : "retry";
                var glyph = record.IsFailure ? "✕" : "↻";
                html.Append(Inv($"<g class=\"mk {kind}\"><circle cx=\"{x:0.#}\" cy=\"{by - 2:0.#}\" r=\"7\"/><text x=\"{x:0.#}\" y=\"{by + 2:0.#}\">{glyph}</text><title>{E(Display.Time(record.Timestamp) + " " + Display.Clean(Display.StepWithError(record), 300))}</title></g>"));
            }

            if (handling.CauseMissing || handling.CausationCycle)
            {
                html.Append(Inv($"<line x1=\"{x0 - 22:0.#}\" y1=\"{by + (BarHeight / 2):0.#}\" x2=\"{x0 - 2:0.#}\" y2=\"{by + (BarHeight / 2):0.#}\" class=\"arrow orphan\"/><g class=\"mk orphan\"><circle cx=\"{x0 - 26:0.#}\" cy=\"{by + (BarHeight / 2):0.#}\" r=\"7\"/><text x=\"{x0 - 26:0.#}\" y=\"{by + (BarHeight / 2) + 4:0.#}\">?</text></g>"));
            }

            html.Append("</g>\n");
        }

        html.Append("</svg></div>\n");
    }

    /// <summary>Orders the lanes as the story goes: services in depth-first order of the causation tree.</summary>
    internal static IReadOnlyList<string> LaneOrder(Flow flow)
    {
        var order = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<MessageHandling>(flow.Roots.Reverse());
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (seen.Add(node.Service))
            {
                order.Add(node.Service);
            }

            for (var i = node.Children.Count - 1; i >= 0; i--)
            {
                stack.Push(node.Children[i]);
            }
        }

        return order;
    }

    private static void AppendTree(IReadOnlyList<MessageHandling> nodes, StringBuilder html)
    {
        if (nodes.Count == 0)
        {
            return;
        }

        html.Append("<ul>");
        foreach (var node in nodes)
        {
            html.Append(Inv($"<li data-h=\"{node.Index}\"><span class=\"svc\">{E(Display.Clean(node.Service, 40))}</span> <code>{E(node.MessageId is null ? "(no message id)" : Display.ShortId(node.MessageId))}</code> {E(Display.Clean(node.Label, 80))} <span class=\"dim\">@{Display.Time(node.Start)} · {E(Display.Duration(node.Duration))}</span>"));
            if (node.Outcome == HandlingOutcome.Failed)
            {
                html.Append(" <span class=\"pill fail\">✕ failed</span>");
            }
            else if (node.Outcome == HandlingOutcome.Retried)
            {
                html.Append(Inv($" <span class=\"pill retry\">↻ retried {node.Retries}×</span>"));
            }

            if (node.CauseMissing)
            {
                html.Append(" <span class=\"pill orphan\">cause not in logs: ").Append(E(Display.ShortId(node.CausationId))).Append("</span>");
            }

            if (node.CausationCycle)
            {
                html.Append(" <span class=\"pill orphan\">causation loop cut here</span>");
            }

            if (node.ClockSkew is { } skew)
            {
                html.Append(" <span class=\"pill skew\">⚠ clock skew ~").Append(E(Display.Duration(skew))).Append("</span>");
            }

            AppendTree(node.Children, html);
            html.Append("</li>\n");
        }

        html.Append("</ul>");
    }

    private static void AppendTable(Flow flow, StringBuilder html)
    {
        var handlingOf = flow.Handlings.SelectMany(h => h.Records.Select(r => (r, h.Index))).ToDictionary(p => p.r, p => p.Index);
        html.Append("<section class=\"later\"><h2>Log lines by time</h2>\n<table><thead><tr><th>Time (UTC)</th><th>+prev</th><th>Service</th><th>Message</th><th>Level</th><th>Step</th></tr></thead><tbody>\n");
        var previous = flow.Start;
        foreach (var record in flow.Records)
        {
            if (record.Kind == Input.RecordKind.SpanEnd && !record.IsFailure)
            {
                continue;
            }

            var rowClass = record.IsFailure ? " class=\"fail\"" : record.IsRetry ? " class=\"retry\"" : string.Empty;
            var marker = record.IsFailure ? "✕ " : record.IsRetry ? "↻ " : string.Empty;
            html.Append(Inv($"<tr{rowClass} data-h=\"{handlingOf[record]}\"><td>{Display.Time(record.Timestamp)}</td><td class=\"num\">{E(Display.Delta(record.Timestamp - previous))}</td><td>{E(Display.Clean(record.Service, 40))}</td><td><code title=\"{E(Display.Clean(record.MessageId))}\">{E(Display.ShortId(record.MessageId))}</code></td><td>{record.Severity}</td><td>{E(marker + Display.Clean(Display.StepWithError(record), 400))}</td></tr>\n"));
            previous = record.Timestamp;
        }

        html.Append("</tbody></table>\n</section>\n");
    }

    private static string Tooltip(MessageHandling h)
    {
        var text = new StringBuilder()
            .Append(Display.Clean(h.Service)).Append('\n')
            .Append("message ").Append(Display.Clean(h.MessageId ?? "(none)")).Append('\n')
            .Append("caused by ").Append(Display.Clean(h.CausationId ?? "(nothing)")).Append(h.CauseMissing ? " (not in logs)" : string.Empty).Append('\n')
            .Append(Display.Time(h.Start)).Append(" → ").Append(Display.Time(h.End)).Append(" (").Append(Display.Duration(h.Duration)).Append(")\n")
            .Append(Inv($"{h.Records.Count} lines, {h.Failures} failures, {h.Retries} retries"));
        if (h.ClockSkew is { } skew)
        {
            text.Append("\nclock skew ~").Append(Display.Duration(skew));
        }

        return text.ToString();
    }

    private static string AxisLabel(double ms, double step) => ms == 0 ? "0" : step >= 1000 || ms >= 1000
        ? string.Create(CultureInfo.InvariantCulture, $"+{ms / 1000:0.###} s")
        : string.Create(CultureInfo.InvariantCulture, $"+{ms:0.###} ms");

    private enum LabelPlace
    {
        Inside,
        Right,
        Left,
    }

    private static string E(string? text) => WebUtility.HtmlEncode(Display.Clean(text));

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private const string Css = """

        :root { --fg:#1f2933; --dim:#6b7785; --line:#e4e7eb; --fail:#d32f2f; --retry:#d97706; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: #f7f8fa; }
        header, main, footer { max-width: 1360px; margin: 0 auto; padding: 0 20px; }
        header { padding-top: 18px; }
        h1 { font-size: 20px; margin: 0 0 4px; } h1 code { font-size: 18px; }
        h2 { font-size: 15px; margin: 22px 0 8px; color: #3e4c59; }
        code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
        .meta { color: var(--dim); margin: 0; }
        .note { background: #fff7e6; border: 1px solid #f5c26b; border-radius: 6px; padding: 6px 10px; margin: 8px 0 0; color: #7a4b00; }
        .badge { font-size: 12px; padding: 2px 8px; border-radius: 10px; vertical-align: middle; color: #fff; background: #2f855a; }
        .badge.failed { background: var(--fail); } .badge.retried-then-ok { background: var(--retry); }
        .chart { background: #fff; border: 1px solid var(--line); border-radius: 8px; overflow-x: auto; }
        .chart svg { display: block; }
        .lane { fill: #fff; } .lane.alt { fill: #f3f5f8; }
        .lanelabel { font-size: 13px; font-weight: 600; fill: #323f4b; }
        .grid { stroke: #e4e7eb; stroke-width: 1; }
        .gap { fill: url(#hatch); stroke: #cbd2d9; stroke-dasharray: 3 3; }
        .gaplabel { font-size: 10.5px; fill: var(--dim); text-anchor: middle; }
        .axis { font-size: 11px; fill: var(--dim); text-anchor: middle; }
        .bar rect { stroke: rgba(0,0,0,.15); stroke-width: 1; }
        .bar.failed rect { stroke: var(--fail); stroke-width: 2.5; }
        .bar.retried rect { stroke: var(--retry); stroke-width: 2.5; }
        .bar text.in { font-size: 11.5px; fill: #fff; font-weight: 600; }
        .bar text.out { font-size: 11.5px; fill: #323f4b; }
        .bar text.left { text-anchor: end; }
        .bar .tick, span.tick { stroke: rgba(255,255,255,.85); stroke-width: 1.5; }
        span.tick { display: inline-block; width: 14px; height: 12px; background: linear-gradient(90deg, #4e79a7 6px, #fff 6px, #fff 8px, #4e79a7 8px); border-radius: 2px; vertical-align: middle; margin-left: 10px; }
        .arrow { fill: none; stroke: #555; stroke-width: 1.4; }
        .arrow.skew { stroke: var(--retry); stroke-dasharray: 4 3; }
        .arrow.orphan { stroke: #9aa5b1; stroke-dasharray: 2 2; }
        .mk circle { stroke: #fff; stroke-width: 1.5; }
        .mk text { font-size: 10px; font-weight: 700; fill: #fff; text-anchor: middle; }
        .mk.fail circle { fill: var(--fail); } .mk.retry circle { fill: var(--retry); } .mk.orphan circle { fill: #9aa5b1; }
        span.mk { display: inline-block; width: 16px; height: 16px; border-radius: 8px; color: #fff; text-align: center; font-size: 10px; line-height: 16px; font-weight: 700; margin: 0 2px 0 10px; }
        span.mk.fail { background: var(--fail); } span.mk.retry { background: var(--retry); } span.mk.orphan { background: #9aa5b1; }
        .legend { color: var(--dim); font-size: 12.5px; margin: 6px 0 0; }
        .legend svg { vertical-align: middle; margin-left: 10px; }
        .bar:focus { outline: none; } .bar:focus rect { stroke: #111 !important; stroke-width: 3 !important; }
        .links ul { list-style: none; margin: 0; padding: 0; } .links li { padding: 2px 0; }
        .hl rect { filter: brightness(1.15); stroke: #111 !important; stroke-width: 2.5 !important; }
        path.hl { stroke-width: 2.6; }
        tr.hl td, li.hl > span, li.hl > code { background: #fff3bf; }
        ul.tree, ul.tree ul { list-style: none; margin: 0; padding-left: 22px; }
        ul.tree { padding-left: 0; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
        ul.tree li { position: relative; padding: 2px 0; }
        ul.tree ul li::before { content: "├─"; position: absolute; left: -20px; color: #9aa5b1; }
        ul.tree ul li:last-child::before { content: "└─"; }
        .root { font-weight: 600; }
        .svc { font-weight: 600; }
        .dim { color: var(--dim); }
        .pill { font-size: 11.5px; padding: 1px 7px; border-radius: 9px; margin-left: 4px; white-space: nowrap; }
        .pill.fail { background: #fde8e8; color: var(--fail); } .pill.retry { background: #fff1d6; color: #8a5300; }
        .pill.orphan { background: #eef1f4; color: #52606d; } .pill.skew { background: #fff1d6; color: #8a5300; }
        table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); border-radius: 8px; font-size: 13px; }
        th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: #f3f5f8; font-weight: 600; color: #3e4c59; }
        td.num { text-align: right; white-space: nowrap; color: var(--dim); }
        td:first-child { white-space: nowrap; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
        tr.fail td { background: #fdecec; } tr.fail td:last-child { color: var(--fail); }
        tr.retry td { background: #fff6e5; }
        section.later { content-visibility: auto; contain-intrinsic-size: auto 900px; }
        footer { color: var(--dim); font-size: 12px; padding: 18px 20px 28px; }

        """;

    private const string Script = """

        // One listener per event type on the document (not one per element): a 2,000-message page stays quick to load.
        function mark(h, on) { document.querySelectorAll('[data-h="' + h + '"]').forEach(function (x) { x.classList.toggle('hl', on); }); }
        function owner(e) { return e.target && e.target.closest ? e.target.closest('[data-h]') : null; }
        document.addEventListener('mouseover', function (e) { var el = owner(e); if (el && !el.contains(e.relatedTarget)) { mark(el.getAttribute('data-h'), true); } });
        document.addEventListener('mouseout', function (e) { var el = owner(e); if (el && !el.contains(e.relatedTarget)) { mark(el.getAttribute('data-h'), false); } });
        // Keyboard: Tab or the arrow keys move between bars (in time order); the focused bar's lines are highlighted.
        document.addEventListener('focusin', function (e) { if (e.target.matches && e.target.matches('g.bar')) { mark(e.target.getAttribute('data-h'), true); } });
        document.addEventListener('focusout', function (e) { if (e.target.matches && e.target.matches('g.bar')) { mark(e.target.getAttribute('data-h'), false); } });
        document.addEventListener('keydown', function (e) {
          var bar = e.target;
          if (!bar.matches || !bar.matches('g.bar')) { return; }
          var step = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
          if (step === 0) { return; }
          var next = document.querySelector('g.bar[data-h="' + (Number(bar.getAttribute('data-h')) + step) + '"]');
          if (next) { e.preventDefault(); next.focus(); }
        });

        """;
}
