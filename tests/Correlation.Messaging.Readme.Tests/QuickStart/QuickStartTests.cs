using System.Net;
using System.Text.Json;
using Correlation.Messaging.TestSupport;

namespace Correlation.Messaging.Readme.Tests.QuickStart;

/// <summary>
/// The README's quick start, run as written (samples/QuickStart) against RabbitMQ, Kafka and SQS: one request with the
/// client's ID, then its log read line by line and by <c>corr-timeline</c>.
/// </summary>
public sealed class QuickStartTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task QuickStart_OneRequestWithClientId_EveryFlowLineCarriesItAndTimelineDrawsTheTree()
    {
        var clientId = "quickstart-" + Guid.NewGuid().ToString("N")[..12];
        var orderId = "o-" + Guid.NewGuid().ToString("N")[..8];
        var (environment, port) = await QuickStartEnvironment.CreateAsync("quickstart-shipping");
        environment["DOTNET_ENVIRONMENT"] = "Production";
        using var app = SampleProcess.Start("samples", "QuickStart", environment);
        await app.WaitForLineAsync(l => l.Contains("Application started", StringComparison.Ordinal), Patience, "the quick start did not start");

        using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") })
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/orders/" + orderId))
        {
            request.Headers.Add("X-Correlation-ID", clientId);
            using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
            response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
            response.Headers.GetValues("X-Correlation-ID").ShouldBe([clientId]);
        }

        await app.WaitForLineAsync(l => l.Contains("Shipping order " + orderId, StringComparison.Ordinal), Patience, "the SQS handler never shipped the order");
        app.Stop(TimeSpan.FromSeconds(20));
        var log = app.Lines.Where(l => l.StartsWith('{')).ToList();

        // 1. Every line about this order, in every part of the app, carries the client's ID; so does every line of the flow.
        // ASP.NET Core's hosting writes "Request starting/finished" before and after the middleware pipeline, so before
        // UseCorrelation() has read the header: those two lines cannot carry it (the AspNetCore README says so).
        var aboutOrder = log
            .Where(l => Message(l).Contains(orderId, StringComparison.Ordinal) && Category(l) != "Microsoft.AspNetCore.Hosting.Diagnostics")
            .ToList();
        aboutOrder.Select(Message).ShouldContain(m => m.StartsWith("Placing order", StringComparison.Ordinal));
        aboutOrder.Select(Message).ShouldContain(m => m.StartsWith("Order " + orderId + " placed", StringComparison.Ordinal));
        aboutOrder.Select(Message).ShouldContain(m => m.StartsWith("Billing order", StringComparison.Ordinal));
        aboutOrder.Select(Message).ShouldContain(m => m.StartsWith("Shipping order", StringComparison.Ordinal));
        foreach (var line in aboutOrder)
        {
            CorrelationId(line).ShouldBe(clientId, line);
        }

        var flow = log.Where(l => CorrelationId(l) == clientId).ToList();
        flow.Count.ShouldBeGreaterThanOrEqualTo(aboutOrder.Count);

        // 2. corr-timeline, on the log as a user would save it: one service lane, and the tree HTTP -> MassTransit -> Kafka -> SQS.
        var file = Path.Combine(Directory.CreateTempSubdirectory("quickstart-").FullName, "quickstart.log");
        await File.WriteAllLinesAsync(file, app.Lines, TestContext.Current.CancellationToken);
        using var timeline = SampleProcess.Start("src", "Correlation.Messaging.Timeline", new Dictionary<string, string>(), file, "--id", clientId, "--no-color");
        (await timeline.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(0, timeline.Output);
        var text = string.Join('\n', timeline.Lines);
        text.ShouldContain(" · 1 service · ", Case.Sensitive, text);
        text.ShouldNotContain("System.Net.Http", Case.Sensitive, text);
        text.ShouldNotContain("Microsoft.AspNetCore", Case.Sensitive, text);
        var tree = timeline.Lines.SkipWhile(l => !l.StartsWith("Causation tree", StringComparison.Ordinal)).Skip(2).ToList();
        tree.Count.ShouldBe(4, text);
        Depth(tree[0]).ShouldBe(0, text);
        Depth(tree[1]).ShouldBe(1, text);
        tree[1].ShouldContain($"Order {orderId} placed", Case.Sensitive, text);
        Depth(tree[2]).ShouldBe(2, text);
        tree[2].ShouldContain($"Billing order {orderId}", Case.Sensitive, text);
        Depth(tree[3]).ShouldBe(3, text);
        tree[3].ShouldContain($"Shipping order {orderId}", Case.Sensitive, text);
        tree.ShouldAllBe(l => l.Contains(" quickstart ", StringComparison.Ordinal));
        TestContext.Current.TestOutputHelper?.WriteLine(text);
    }

    /// <summary>The depth of a causation-tree line: each level indents the "└─ "/"├─ " marker by three columns.</summary>
    private static int Depth(string line)
    {
        var marker = line.IndexOfAny(['└', '├']);
        marker.ShouldBeGreaterThanOrEqualTo(0, line);
        return (marker - 2) / 3;
    }

    private static string Message(string line)
    {
        using var document = JsonDocument.Parse(line);
        return document.RootElement.TryGetProperty("Message", out var message) ? message.GetString() ?? string.Empty : string.Empty;
    }

    private static string Category(string line)
    {
        using var document = JsonDocument.Parse(line);
        return document.RootElement.TryGetProperty("Category", out var category) ? category.GetString() ?? string.Empty : string.Empty;
    }

    private static string? CorrelationId(string line)
    {
        using var document = JsonDocument.Parse(line);
        if (!document.RootElement.TryGetProperty("Scopes", out var scopes))
        {
            return null;
        }

        string? found = null;
        foreach (var scope in scopes.EnumerateArray())
        {
            if (scope.ValueKind == JsonValueKind.Object && scope.TryGetProperty("correlation_id", out var id))
            {
                found = id.GetString();
            }
        }

        return found;
    }
}
