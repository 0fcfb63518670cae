using System.Diagnostics;
using System.Net;
using System.Text;
using Correlation.Messaging.AspNetCore.Outgoing;
using Correlation.Messaging.AspNetCore.Tests.Infrastructure;
using Correlation.Messaging.Propagation;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.AspNetCore.Tests.Boundary;

/// <summary>
/// Issue 13, defects 1 and 3, on a real Kestrel with a real HttpClient (SocketsHttpHandler): a non-ASCII ID trusted on a
/// broker cannot cross HTTP, and an untrusted client's trace never becomes the correlation ID.
/// </summary>
public sealed class HttpBoundaryDefectTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Middleware_TrustedNonAsciiInboundId_RequestServedWithNewAsciiIdAndLogged()
    {
        // Kestrel refuses non-ASCII request headers unless told to decode them; an application that does reaches us.
        await using var app = await TestApp.StartAsync(
            HostKind.Kestrel,
            Echo.Map,
            correlation: o => o.InvalidIdPolicy = InvalidCorrelationIdPolicy.Trust,
            services: b => b.Services.Configure<KestrelServerOptions>(k => k.RequestHeaderEncodingSelector = static _ => Encoding.UTF8));

        var response = await RawHttp.GetAsync(app.BaseAddress, "/echo", ["X-Correlation-ID: café-1"]);

        response.ShouldStartWith("HTTP/1.1 200", customMessage: response);
        var echoed = response.Split("\r\n").Single(l => l.StartsWith("X-Correlation-ID:", StringComparison.OrdinalIgnoreCase))["X-Correlation-ID:".Length..].Trim();
        Guid.TryParse(echoed, out _).ShouldBeTrue($"a new ASCII ID is echoed, was '{echoed}'");
        var warning = app.Logs.WithEventName("NonAsciiCorrelationIdReplaced").ShouldHaveSingleItem();
        warning.Message.ShouldContain("caf\\u00E9-1");
        warning.CorrelationId.ShouldBe(echoed);
        app.Logs.Logs.Single(l => l.Message == Echo.HandledMessage).CorrelationId.ShouldBe(echoed);
    }

    [Fact]
    public async Task HttpClient_AmbientNonAsciiId_RequestSentWithoutItAndLogged()
    {
        await using var server = await TestApp.StartAsync(HostKind.Kestrel, Echo.Map);
        var logs = new TestSupport.CapturingLoggerProvider();
        var services = new ServiceCollection()
            .AddLogging(b => b.AddProvider(logs))
            .AddCorrelation(o => o.InvalidIdPolicy = InvalidCorrelationIdPolicy.Trust).Services;
        services.AddHttpClient("downstream", c => c.BaseAddress = server.BaseAddress)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler())
            .AddCorrelationPropagation();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("downstream");

        // A context a broker consumer made ambient under Trust, for a Kafka record carrying café-1.
        HttpResponseMessage response;
        using (CorrelationContext.BeginScope(new CorrelationContext("café-1", messageId: "orders:0:7")))
        {
            response = await client.GetAsync("/echo", Ct);
        }

        using (response)
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            var seen = await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<SeenContext>(response.Content, Ct);
            seen!.Source.ShouldBe(nameof(CorrelationIdSource.Generated), "the ID that HTTP cannot carry is not sent");
            seen.CausationId.ShouldBe("orders:0:7", "the ASCII causation ID still travels");
        }

        logs.WithEventName("CorrelationIdNotSentOverHttp").ShouldHaveSingleItem().Message.ShouldContain("caf\\u00E9-1");
    }

    [Fact]
    public async Task Middleware_W3CTraceIdFormatAndUntrustedClient_IdNotDerivedFromClientTrace()
    {
        var traceId = ActivityTraceId.CreateRandom();
        await using var app = await TestApp.StartAsync(
            HostKind.Kestrel,
            Echo.Map,
            correlation: o => o.IdFormat = CorrelationIdFormat.W3CTraceId,
            http: o => o.TrustedNetworks.Add("10.0.0.0/8"));
        using var request = Echo.Request("/echo");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        using var response = await app.Client.SendAsync(request, Ct);

        var id = response.Header().ShouldNotBeNull();
        id.Length.ShouldBe(32);
        id.ShouldNotBe(traceId.ToHexString(), "an untrusted client must not choose the correlation ID through its traceparent");
    }

    [Fact]
    public async Task Middleware_W3CTraceIdFormatAndTrustedClient_IdStillTheRequestTrace()
    {
        var traceId = ActivityTraceId.CreateRandom();
        await using var app = await TestApp.StartAsync(
            HostKind.Kestrel,
            Echo.Map,
            correlation: o => o.IdFormat = CorrelationIdFormat.W3CTraceId,
            http: o => o.TrustedNetworks.Add("127.0.0.0/8"));
        using var request = Echo.Request("/echo");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        using var response = await app.Client.SendAsync(request, Ct);

        response.Header().ShouldBe(traceId.ToHexString());
    }
}
