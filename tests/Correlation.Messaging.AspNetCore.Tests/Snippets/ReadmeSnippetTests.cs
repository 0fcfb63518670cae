using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.AspNetCore.Tests.Snippets;

/// <summary>The README's quick start, kept compiling and working (only the test server and the request are added).</summary>
public sealed class ReadmeSnippetTests
{
    [Fact]
    public async Task QuickStart_AsWrittenInTheReadme_EchoesTheId()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();

        // --- README quick start ---
        builder.Services.AddCorrelation(o =>            // the same options as the broker adapters
            {
                o.InvalidIdPolicy = InvalidCorrelationIdPolicy.Regenerate;   // or Reject (400) / Trust
            })
            .AddAspNetCore(http =>                      // HTTP-specific options
            {
                http.TrustedNetworks.Add("10.0.0.0/8");     // optional: trust inbound IDs only from here
            });
        builder.Services.AddProblemDetails();          // optional: error bodies get "correlation_id"
        builder.Services.AddHttpClient("orders", c => c.BaseAddress = new Uri("http://orders"))
            .AddCorrelationPropagation();              // forwards the ambient ID

        await using var app = builder.Build();
        app.UseCorrelation();                          // early: everything after it logs the ID
        app.UseExceptionHandler();
        app.MapGet("/", () => CorrelationContext.Current!.CorrelationId);
        // --- end ---

        await app.StartAsync(TestContext.Current.CancellationToken);
        using var response = await app.GetTestClient().GetAsync("/", TestContext.Current.CancellationToken);

        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.Headers.GetValues("X-Correlation-ID").Single().ShouldBe(body);
    }
}
