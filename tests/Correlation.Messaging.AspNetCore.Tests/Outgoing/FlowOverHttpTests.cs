using System.Net;
using Correlation.Messaging.AspNetCore.Tests.Infrastructure;
using Correlation.Messaging.Contracts.Oracle;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Correlation.Messaging.AspNetCore.Tests.Outgoing;

/// <summary>Flow metadata over HTTP: the edge is depth 0, a call through HttpClient is one hop, malformed values get the policy.</summary>
public sealed class FlowOverHttpTests
{
    [Fact]
    public async Task CallToSecondService_EdgeIsDepthZero_SecondServiceDepthOne_OriginAndStartFromTheEdge()
    {
        await using var serviceB = await TestApp.StartAsync(HostKind.Kestrel, MapFlow, correlation: o => o.ServiceName = "service-b");
        await using var serviceA = await TestApp.StartAsync(
            HostKind.Kestrel,
            app => app.MapGet("/call", static async (IHttpClientFactory clients) =>
            {
                var here = CorrelationContext.Current!;
                var there = await clients.CreateClient("b").GetStringAsync("/flow");
                return $"{here.Depth}|{here.Origin}|{here.StartedAt.ToUnixTimeMilliseconds()}#{there}";
            }),
            correlation: o => o.ServiceName = "service-a",
            services: b => b.Services.AddHttpClient("b", c => c.BaseAddress = serviceB.BaseAddress).AddCorrelationPropagation());

        var body = await serviceA.Client.GetStringAsync("/call", TestContext.Current.CancellationToken);

        var parts = body.Split('#');
        var edge = parts[0].Split('|');
        (edge[0], edge[1]).ShouldBe(("0", "service-a"));
        var seenByB = parts[1].Split('|');
        (seenByB[0], seenByB[1], seenByB[2]).ShouldBe(("1", "service-a", edge[2]), "service B is one hop deeper, in service A's flow");
        var wire = FlowOracle.Parse(seenByB[4]).ShouldNotBeNull(seenByB[4]);
        (wire.Depth, wire.Origin, wire.StartUnixMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture)).ShouldBe((1, "service-a", edge[2]));
    }

    [Theory]
    [InlineData(HostKind.TestServer)]
    [InlineData(HostKind.Kestrel)]
    public async Task MalformedFlowHeader_EveryHttpSafeKind_RequestServedIdKeptFlowRestarted(HostKind host)
    {
        await using var app = await TestApp.StartAsync(host, MapFlow, correlation: o => o.ServiceName = "http-edge");
        // HTTP carries printable ASCII only, and trims a value of spaces to nothing: those kinds are for the brokers.
        var kinds = FlowOracle.Malformed.Where(m => m.Bytes.All(b => b is >= 0x20 and < 0x7F) && m.Kind != "whitespace only").ToList();
        kinds.Count.ShouldBeGreaterThanOrEqualTo(10);

        foreach (var (kind, bytes, _) in kinds)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/flow");
            request.Headers.TryAddWithoutValidation("X-Correlation-ID", "http-bad-flow");
            request.Headers.TryAddWithoutValidation("X-Correlation-Flow", System.Text.Encoding.ASCII.GetString(bytes));
            using var response = await app.Client.SendAsync(request, TestContext.Current.CancellationToken);

            response.StatusCode.ShouldBe(HttpStatusCode.OK, kind);
            var seen = (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Split('|');
            (seen[0], seen[1], seen[3]).ShouldBe(("0", "http-edge", "http-bad-flow"), kind);
        }

        app.Logs.WithEventName("InvalidFlowMetadataReplaced").Count().ShouldBe(kinds.Count);
    }

    [Fact]
    public async Task DepthAboveMax_Reject_Is400_FailingTwinAtTheLimitIs200()
    {
        await using var app = await TestApp.StartAsync(HostKind.TestServer, MapFlow, correlation: o => o.MaxDepth = 3);

        using var over = new HttpRequestMessage(HttpMethod.Get, "/flow");
        over.Headers.Add("X-Correlation-Flow", "4 svc 1764505103123");
        using var atLimit = new HttpRequestMessage(HttpMethod.Get, "/flow");
        atLimit.Headers.Add("X-Correlation-Flow", "3 svc 1764505103123");

        (await app.Client.SendAsync(over, TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await app.Client.SendAsync(atLimit, TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>Answers "depth|origin|start|correlationId|the request's flow header".</summary>
    private static void MapFlow(WebApplication app) =>
        app.MapGet("/flow", static (HttpContext http) =>
        {
            var c = CorrelationContext.Current!;
            return $"{c.Depth}|{c.Origin}|{c.StartedAt.ToUnixTimeMilliseconds()}|{c.CorrelationId}|{http.Request.Headers["X-Correlation-Flow"]}";
        });
}
