using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Testing.Tests.Http;

/// <summary>HTTP hops: a request received (the middleware) that makes a call (the correlating HttpClient handler) to a second endpoint.</summary>
public sealed class HttpFlowTests
{
    [Fact]
    public async Task PostOrder_CallsStock_CallAndItsRequestAreInTheFlow()
    {
        using var flow = FlowRecorder.Start();
        await using var app = await StartAsync(flow, propagate: true);

        using var response = await app.GetTestClient().PostAsync(new Uri("/orders", UriKind.Relative), null, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        await flow.WaitUntilQuietAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        flow.AssertShape("Http(POST /orders) → { Call(GET /stock), Http(GET /stock) }");
        flow.AssertOneCorrelationId();
        flow.AssertNoNewFlowStarted();
        flow.Hops.Single(h => h.Kind == RecordedHopKind.HttpIn && h.Name == "GET /stock").Outcome.ShouldBe("200");
    }

    [Fact]
    public async Task PostOrder_CallWithoutThePropagationHandler_StockStartsANewFlow()
    {
        // The failing twin: the client lacks AddCorrelationPropagation(), so /stock gets no ID and generates one.
        using var flow = FlowRecorder.Start();
        await using var app = await StartAsync(flow, propagate: false);

        using var response = await app.GetTestClient().PostAsync(new Uri("/orders", UriKind.Relative), null, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        await flow.WaitUntilQuietAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        var failure = Should.Throw<FlowAssertionException>(flow.AssertNoNewFlowStarted);
        TestContext.Current.TestOutputHelper?.WriteLine(failure.Message);
        failure.Message.ShouldStartWith("Expected no hop to start a new flow, but 1 did:");
        failure.Message.ShouldContain("Http(GET /stock) (HttpIn via http) has correlation_id ");
        Should.Throw<FlowAssertionException>(() => flow.AssertShape("Http(POST /orders) → Http(GET /stock)"))
            .Message.ShouldContain("but recorded" + Environment.NewLine + "  { Http(GET /stock), Http(POST /orders) }");
    }

    private static async Task<WebApplication> StartAsync(FlowRecorder flow, bool propagate)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(flow.CaptureLogs());
        builder.Services.AddCorrelation().AddAspNetCore();
        WebApplication? app = null;
        var client = builder.Services.AddHttpClient("stock", c => c.BaseAddress = new Uri("http://localhost/"))
            .ConfigurePrimaryHttpMessageHandler(() => app!.GetTestServer().CreateHandler());
        if (propagate)
        {
            client.AddCorrelationPropagation();
        }

        app = builder.Build();
        app.UseCorrelation();
        app.MapGet("/stock", () => Results.Ok(3));
        app.MapPost("/orders", async (IHttpClientFactory clients) =>
        {
            using var stock = await clients.CreateClient("stock").GetAsync(new Uri("/stock", UriKind.Relative));
            return Results.StatusCode((int)stock.StatusCode);
        });
        await app.StartAsync();
        return app;
    }
}
