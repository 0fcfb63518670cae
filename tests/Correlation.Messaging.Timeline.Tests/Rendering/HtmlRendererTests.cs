using System.Text.RegularExpressions;
using System.Xml.Linq;
using Correlation.Messaging.Timeline.Rendering;
using static Correlation.Messaging.Timeline.Tests.LogLines;

namespace Correlation.Messaging.Timeline.Tests.Rendering;

public sealed class HtmlRendererTests
{
    private static readonly string[] SampleLines =
    [
        Flat(0, "corr-1", "orders-api", "POST /orders"),
        Flat(20, "corr-1", "orders-worker", "consume", messageId: "m1"),
        Flat(40, "corr-1", "orders-worker", "produced", messageId: "m1"),
        Flat(45, "corr-1", "inventory", "line 1", messageId: "k1", causationId: "m1"),
        Flat(47, "corr-1", "inventory", "line 2", messageId: "k2", causationId: "m1"),
        Flat(60, "corr-1", "inventory", "failed", messageId: "k2", causationId: "m1", level: "error"),
        Flat(400, "corr-1", "inventory", "line 2 again", messageId: "k2", causationId: "m1", extra: ("attempt", 2)),
        Flat(420, "corr-1", "inventory", "line 2 done", messageId: "k2", causationId: "m1"),
        Flat(15, "corr-1", "audit", "orphan", messageId: "a1", causationId: "gone"),
    ];

    [Fact]
    public void Render_IsSelfContained()
    {
        var html = HtmlRenderer.Render(Flow(SampleLines));

        html.ShouldStartWith("<!DOCTYPE html>");
        html.ShouldContain("<style>");
        html.ShouldContain("<svg");
        Regex.IsMatch(html, @"\s(src|href)\s*=", RegexOptions.IgnoreCase).ShouldBeFalse();
        html.ShouldNotContain("@import");
        html.ShouldNotContain("url(http", Case.Insensitive);
        html.ShouldNotContain("<link", Case.Insensitive);
    }

    [Fact]
    public void Render_DrawsOneLanePerServiceOneBarPerHandlingAndTheMarkers()
    {
        var html = HtmlRenderer.Render(Flow(SampleLines));

        Regex.Matches(html, "class=\"lanelabel\"").Count.ShouldBe(4);
        Regex.Matches(html, "<g class=\"bar").Count.ShouldBe(5);
        Regex.Matches(html, "<g class=\"mk fail\"").Count.ShouldBe(1);
        Regex.Matches(html, "<g class=\"mk retry\"").Count.ShouldBe(1);
        Regex.Matches(html, "<path d=\"M[^\"]+\" class=\"arrow\"").Count.ShouldBe(2);
        html.ShouldContain("<g class=\"bar retried\"");
        html.ShouldContain("cause not in logs");
        html.ShouldContain("retried-then-ok");
    }

    [Fact]
    public void Render_SvgIsWellFormedXml()
    {
        var html = HtmlRenderer.Render(Flow(SampleLines));
        var svg = html[html.IndexOf("<svg", StringComparison.Ordinal)..(html.IndexOf("</svg></div>", StringComparison.Ordinal) + "</svg>".Length)];

        Should.NotThrow(() => XDocument.Parse(svg));
    }

    [Fact]
    public void Render_LogContentIsEncoded()
    {
        var html = HtmlRenderer.Render(Flow(
            Flat(0, "<img onerror=alert(1)>", "<b>svc</b>", "<script>alert('x')</script>", messageId: "\"><svg onload=alert(2)>")));

        html.ShouldNotContain("<script>alert");
        html.ShouldNotContain("<img onerror");
        html.ShouldNotContain("<b>svc</b>");
        html.ShouldNotContain("<svg onload");
        html.ShouldContain("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    }

    [Fact]
    public void LaneOrder_FollowsTheCausationTreeNotTheSkewedClock()
    {
        var flow = Flow(
            Flat(0, "c", "api", "POST"),
            Flat(20, "c", "worker", "consume", messageId: "m1"),
            Flat(10, "c", "inventory", "reserve", messageId: "k1", causationId: "m1"),
            Flat(30, "c", "fulfilment", "ship", messageId: "s1", causationId: "k1"));

        flow.Services.ShouldBe(["api", "inventory", "worker", "fulfilment"]);
        HtmlRenderer.LaneOrder(flow).ShouldBe(["api", "worker", "inventory", "fulfilment"]);
    }

    [Fact]
    public void TimeScale_LongQuietGap_IsCollapsed()
    {
        var scale = new TimeScale([0, 10, 20, 2020, 2030], totalMs: 2030, left: 0, right: 1000);

        scale.Gaps.ShouldHaveSingleItem().ShouldBe((20.0, 2020.0));
        scale.ActiveMs.ShouldBe(30);
        scale.X(0).ShouldBe(0);
        scale.X(2030).ShouldBe(1000, tolerance: 0.001);
        (scale.X(2020) - scale.X(20)).ShouldBe(TimeScale.GapWidth, tolerance: 0.001);
        scale.X(10).ShouldBeGreaterThan(300);
    }

    [Fact]
    public void TimeScale_EvenlySpreadLines_AreLinear()
    {
        var scale = new TimeScale([0, 25, 50, 75, 100], totalMs: 100, left: 100, right: 1100);

        scale.Gaps.ShouldBeEmpty();
        scale.X(50).ShouldBe(600, tolerance: 0.001);
        scale.Ticks().ShouldBe([0, 20, 40, 60, 80, 100]);
    }
}
