using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Correlation.Messaging.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Correlation.Messaging.AspNetCore.Tests.Middleware;

public sealed class CorrelationMiddlewareTests
{
    private const string Header = "X-Correlation-ID";

    public static TheoryData<HostKind> Hosts => [HostKind.TestServer, HostKind.Kestrel];

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task UseCorrelation_ValidInboundId_IsAmbientLoggedAndEchoed(HostKind host)
    {
        await using var app = await TestApp.StartAsync(host, Echo.Map);
        using var request = Echo.Request("/echo", "order-42.flow:7");
        request.Headers.TryAddWithoutValidation("X-Causation-ID", "msg-1");

        using var response = await app.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var seen = await response.Content.ReadFromJsonAsync<SeenContext>(TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Header().ShouldBe("order-42.flow:7");
        seen!.CorrelationId.ShouldBe("order-42.flow:7");
        seen.CausationId.ShouldBe("msg-1");
        seen.Source.ShouldBe(nameof(CorrelationIdSource.Inbound));
        app.Logs.Logs.Single(l => l.Message == Echo.HandledMessage).CorrelationId.ShouldBe("order-42.flow:7");
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task UseCorrelation_MissingId_GeneratesAndEchoes(HostKind host)
    {
        await using var app = await TestApp.StartAsync(host, Echo.Map);

        using var response = await app.Client.SendAsync(Echo.Request("/echo"), TestContext.Current.CancellationToken);
        var seen = await response.Content.ReadFromJsonAsync<SeenContext>(TestContext.Current.CancellationToken);

        Guid.TryParse(response.Header(), out _).ShouldBeTrue();
        seen!.CorrelationId.ShouldBe(response.Header());
        seen.Source.ShouldBe(nameof(CorrelationIdSource.Generated));
        app.Logs.Logs.Single(l => l.Message == Echo.HandledMessage).CorrelationId.ShouldBe(response.Header());
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task UseCorrelation_InvalidIdUnderRegenerate_ReplacesAndEchoes(HostKind host)
    {
        await using var app = await TestApp.StartAsync(host, Echo.Map);

        using var response = await app.Client.SendAsync(Echo.Request("/echo", "not valid!"), TestContext.Current.CancellationToken);
        var seen = await response.Content.ReadFromJsonAsync<SeenContext>(TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Header().ShouldNotBe("not valid!");
        Guid.TryParse(response.Header(), out _).ShouldBeTrue();
        seen!.CorrelationId.ShouldBe(response.Header());
        seen.Source.ShouldBe(nameof(CorrelationIdSource.Replaced));
        app.Logs.WithEventName("InvalidCorrelationIdReplaced").ShouldHaveSingleItem()
            .CorrelationId.ShouldBe(response.Header(), "the warning is logged inside the new ID's scope (issue 19)");
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task UseCorrelation_InvalidIdUnderReject_Responds400WithProblemDetails(HostKind host)
    {
        var invoked = false;
        await using var app = await TestApp.StartAsync(
            host,
            a => a.MapGet("/echo", () => invoked = true),
            correlation: o => o.InvalidIdPolicy = InvalidCorrelationIdPolicy.Reject);

        using var response = await app.Client.SendAsync(Echo.Request("/echo", "not valid!"), TestContext.Current.CancellationToken);
        using var body = await ReadJsonAsync(response);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        invoked.ShouldBeFalse();
        var echoed = response.Header();
        echoed.ShouldNotBeNull();
        echoed.ShouldNotBe("not valid!");
        body.RootElement.GetProperty("status").GetInt32().ShouldBe(400);
        body.RootElement.GetProperty("title").GetString().ShouldBe("Invalid correlation ID");
        body.RootElement.GetProperty("correlation_id").GetString().ShouldBe(echoed);
        app.Logs.WithEventName("RequestRejected").Single().CorrelationId.ShouldBe(echoed);
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task UseCorrelation_MissingIdUnderRejectPolicy_Responds400(HostKind host)
    {
        await using var app = await TestApp.StartAsync(
            host,
            Echo.Map,
            correlation: o => o.MissingIdPolicy = MissingCorrelationIdPolicy.Reject,
            services: b => b.Services.AddProblemDetails());

        using var missing = await app.Client.SendAsync(Echo.Request("/echo"), TestContext.Current.CancellationToken);
        using var body = await ReadJsonAsync(missing);
        using var present = await app.Client.SendAsync(Echo.Request("/echo", "abc-123"), TestContext.Current.CancellationToken);

        missing.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        body.RootElement.GetProperty("title").GetString().ShouldBe("Missing correlation ID");
        body.RootElement.GetProperty("correlation_id").GetString().ShouldBe(missing.Header());
        present.StatusCode.ShouldBe(HttpStatusCode.OK);
        present.Header().ShouldBe("abc-123");
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task UseCorrelation_DisallowedCharactersUnderTrust_AcceptsId(HostKind host)
    {
        await using var app = await TestApp.StartAsync(host, Echo.Map, correlation: o => o.InvalidIdPolicy = InvalidCorrelationIdPolicy.Trust);

        using var response = await app.Client.SendAsync(Echo.Request("/echo", "order#42/eu"), TestContext.Current.CancellationToken);
        var seen = await response.Content.ReadFromJsonAsync<SeenContext>(TestContext.Current.CancellationToken);

        response.Header().ShouldBe("order#42/eu");
        seen!.CorrelationId.ShouldBe("order#42/eu");
        seen.Source.ShouldBe(nameof(CorrelationIdSource.Inbound));
    }

    [Theory]
    [InlineData("x-correlation-id")]
    [InlineData("X-CORRELATION-ID")]
    [InlineData("correlation-id")]
    [InlineData("CorrelationId")]
    public async Task UseCorrelation_HeaderNameCaseAndAliases_AreRead(string headerName)
    {
        await using var app = await TestApp.StartAsync(HostKind.Kestrel, Echo.Map);

        using var response = await app.Client.SendAsync(Echo.Request("/echo", "flow-1", headerName), TestContext.Current.CancellationToken);

        response.Header().ShouldBe("flow-1");
    }

    [Fact]
    public async Task UseCorrelation_HeaderSentTwiceOnTheWire_LastValueWins()
    {
        await using var app = await TestApp.StartAsync(HostKind.Kestrel, Echo.Map);

        var raw = await RawHttp.GetAsync(app.BaseAddress, "/echo", ["X-Correlation-ID: first-id", "x-correlation-id: second-id"]);

        raw.ShouldContain("X-Correlation-ID: second-id", Case.Insensitive);
        raw.ShouldContain("\"correlationId\":\"second-id\"");
        app.Logs.WithEventName("DuplicateHeader").ShouldHaveSingleItem();
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task UseCorrelation_ErrorResponses_EchoTheId(HostKind host)
    {
        await using var app = await TestApp.StartAsync(host, a =>
        {
            a.MapGet("/status/{code:int}", static (int code) => Results.StatusCode(code));
            a.MapGet("/throw", static string () => throw new InvalidOperationException("boom"));
        });

        foreach (var (path, status) in new[] { ("/nowhere", 404), ("/status/409", 409), ("/status/503", 503), ("/throw", 500) })
        {
            using var response = await app.Client.SendAsync(Echo.Request(path, "err-flow"), TestContext.Current.CancellationToken);
            ((int)response.StatusCode).ShouldBe(status, path);
            response.Header().ShouldBe("err-flow", path);
        }

        var error = app.Logs.WithEventName("UnhandledException").ShouldHaveSingleItem();
        error.Category.ShouldBe("Correlation.Messaging.AspNetCore");
        error.CorrelationId.ShouldBe("err-flow");
        error.Exception.ShouldBeOfType<InvalidOperationException>();
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task UseCorrelation_UnhandledExceptionWithProblemDetails_BodyCarriesId(HostKind host)
    {
        await using var app = await TestApp.StartAsync(
            host,
            a => a.MapGet("/throw", static string () => throw new InvalidOperationException("boom")),
            services: b => b.Services.AddProblemDetails());

        using var response = await app.Client.SendAsync(Echo.Request("/throw"), TestContext.Current.CancellationToken);
        using var body = await ReadJsonAsync(response);

        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        body.RootElement.GetProperty("correlation_id").GetString().ShouldBe(response.Header());
        response.Header().ShouldNotBeNull();
    }

    [Fact]
    public async Task UseCorrelation_ExceptionHandlerAfterMiddleware_HandlesInsideScope()
    {
        await using var app = await TestApp.StartAsync(
            HostKind.TestServer,
            a => a.MapGet("/throw", static string () => throw new InvalidOperationException("boom")),
            services: b => b.Services.AddProblemDetails(),
            afterCorrelation: a => a.UseExceptionHandler());

        using var response = await app.Client.SendAsync(Echo.Request("/throw", "handled-flow"), TestContext.Current.CancellationToken);
        using var body = await ReadJsonAsync(response);

        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        response.Header().ShouldBe("handled-flow");
        body.RootElement.GetProperty("correlation_id").GetString().ShouldBe("handled-flow");
        app.Logs.Logs.Where(l => l.Category.Contains("ExceptionHandler", StringComparison.Ordinal) && l.Exception is not null)
            .ShouldHaveSingleItem().CorrelationId.ShouldBe("handled-flow");
        app.Logs.WithEventName("UnhandledException").Where(l => l.Category == "Correlation.Messaging.AspNetCore").ShouldBeEmpty();
    }

    [Fact]
    public async Task UseCorrelation_ExceptionHandlerBeforeMiddleware_ClearedResponseKeepsHeaderAndBodyId()
    {
        await using var app = await TestApp.StartAsync(
            HostKind.Kestrel,
            a => a.MapGet("/throw", static string () => throw new InvalidOperationException("boom")),
            http: o => o.HandleUnhandledExceptions = false,
            services: b => b.Services.AddProblemDetails(),
            beforeCorrelation: a => a.UseExceptionHandler());

        using var response = await app.Client.SendAsync(Echo.Request("/throw", "outer-flow"), TestContext.Current.CancellationToken);
        using var body = await ReadJsonAsync(response);

        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        response.Header().ShouldBe("outer-flow");
        body.RootElement.GetProperty("correlation_id").GetString().ShouldBe("outer-flow");
    }

    [Fact]
    public async Task UseCorrelation_ProblemResultsAndStatusCodePages_CarryId()
    {
        await using var app = await TestApp.StartAsync(
            HostKind.TestServer,
            a => a.MapGet("/problem", static () => Results.Problem("nope", statusCode: 422)),
            services: b => b.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c => c.ProblemDetails.Extensions["user"] = "kept"),
            afterCorrelation: a => a.UseStatusCodePages());

        using var problem = await app.Client.SendAsync(Echo.Request("/problem", "pd-flow"), TestContext.Current.CancellationToken);
        using var problemBody = await ReadJsonAsync(problem);
        using var notFound = await app.Client.SendAsync(Echo.Request("/nowhere", "pd-flow-2"), TestContext.Current.CancellationToken);
        using var notFoundBody = await ReadJsonAsync(notFound);

        ((int)problem.StatusCode).ShouldBe(422);
        problemBody.RootElement.GetProperty("correlation_id").GetString().ShouldBe("pd-flow");
        problemBody.RootElement.GetProperty("user").GetString().ShouldBe("kept");
        notFound.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        notFoundBody.RootElement.GetProperty("correlation_id").GetString().ShouldBe("pd-flow-2");
    }

    [Fact]
    public async Task UseCorrelation_IncludeInProblemDetailsOff_NoExtension()
    {
        await using var app = await TestApp.StartAsync(
            HostKind.TestServer,
            a => a.MapGet("/problem", static () => Results.Problem("nope", statusCode: 422)),
            http: o => o.IncludeInProblemDetails = false,
            services: b => b.Services.AddProblemDetails());

        using var response = await app.Client.SendAsync(Echo.Request("/problem", "pd-flow"), TestContext.Current.CancellationToken);
        using var body = await ReadJsonAsync(response);

        body.RootElement.TryGetProperty("correlation_id", out _).ShouldBeFalse();
        response.Header().ShouldBe("pd-flow");
    }

    [Fact]
    public async Task UseCorrelation_ResponseHeaderNameAndTraceIdentifier_AreApplied()
    {
        await using var app = await TestApp.StartAsync(
            HostKind.TestServer,
            Echo.Map,
            http: o =>
            {
                o.ResponseHeaderName = "X-Request-Correlation";
                o.SetTraceIdentifier = true;
            });

        using var response = await app.Client.SendAsync(Echo.Request("/echo", "flow-9"), TestContext.Current.CancellationToken);
        var seen = await response.Content.ReadFromJsonAsync<SeenContext>(TestContext.Current.CancellationToken);

        response.Header("X-Request-Correlation").ShouldBe("flow-9");
        response.Header().ShouldBeNull();
        seen!.TraceIdentifier.ShouldBe("flow-9");
    }

    [Fact]
    public async Task UseCorrelation_UntrustedSource_IgnoresInboundIdAndGenerates()
    {
        await using var app = await TestApp.StartAsync(HostKind.Kestrel, Echo.Map, http: o => o.TrustedNetworks.Add("10.0.0.0/8"));

        using var response = await app.Client.SendAsync(Echo.Request("/echo", "from-outside"), TestContext.Current.CancellationToken);
        var seen = await response.Content.ReadFromJsonAsync<SeenContext>(TestContext.Current.CancellationToken);

        response.Header().ShouldNotBe("from-outside");
        Guid.TryParse(response.Header(), out _).ShouldBeTrue();
        seen!.Source.ShouldBe(nameof(CorrelationIdSource.Generated));
        var untrusted = app.Logs.WithEventName("UntrustedSource").Single();
        untrusted.Message.ShouldContain("127.0.0.1");
        untrusted.CorrelationId.ShouldBe(response.Header(), "the event about the generated ID is logged inside its scope (issue 19)");
    }

    [Fact]
    public async Task UseCorrelation_TrustedNetworkOrPredicate_AcceptsInboundId()
    {
        await using var byNetwork = await TestApp.StartAsync(HostKind.Kestrel, Echo.Map, http: o => o.TrustedNetworks.Add("127.0.0.0/8"));
        await using var byPredicate = await TestApp.StartAsync(HostKind.Kestrel, Echo.Map, http: o =>
        {
            o.TrustedNetworks.Add("10.0.0.0/8");
            o.IsTrustedSource = static http => http.Request.Headers["X-Internal"] == "yes";
        });

        using var network = await byNetwork.Client.SendAsync(Echo.Request("/echo", "from-proxy"), TestContext.Current.CancellationToken);
        using var trustedRequest = Echo.Request("/echo", "from-internal");
        trustedRequest.Headers.Add("X-Internal", "yes");
        using var trusted = await byPredicate.Client.SendAsync(trustedRequest, TestContext.Current.CancellationToken);
        using var untrusted = await byPredicate.Client.SendAsync(Echo.Request("/echo", "from-internal"), TestContext.Current.CancellationToken);

        network.Header().ShouldBe("from-proxy");
        trusted.Header().ShouldBe("from-internal");
        untrusted.Header().ShouldNotBe("from-internal");
    }

    [Fact]
    public async Task UseCorrelation_TrustedSingleAddress_AcceptsInboundIdOnlyFromThatAddress()
    {
        await using var exact = await TestApp.StartAsync(HostKind.Kestrel, Echo.Map, http: o => o.TrustedNetworks.Add("127.0.0.1"));
        await using var neighbour = await TestApp.StartAsync(HostKind.Kestrel, Echo.Map, http: o => o.TrustedNetworks.Add("127.0.0.2"));

        using var fromExact = await exact.Client.SendAsync(Echo.Request("/echo", "from-proxy"), TestContext.Current.CancellationToken);
        using var fromNeighbour = await neighbour.Client.SendAsync(Echo.Request("/echo", "from-proxy"), TestContext.Current.CancellationToken);

        fromExact.Header().ShouldBe("from-proxy");
        fromNeighbour.Header().ShouldNotBe("from-proxy");
    }

    [Fact]
    public async Task UseCorrelation_WithoutAddAspNetCore_Throws()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddCorrelation();
        await using var app = builder.Build();

        Should.Throw<InvalidOperationException>(() => app.UseCorrelation()).Message.ShouldContain("AddAspNetCore");
    }

    [Fact]
    public async Task AddAspNetCore_InvalidResponseHeaderName_FailsOnStart()
    {
        await Should.ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>(
            () => TestApp.StartAsync(HostKind.TestServer, Echo.Map, http: o => o.ResponseHeaderName = "Bad Header"));
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
}
