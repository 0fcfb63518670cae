using System.Net;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.AspNetCore.Tests.Outgoing;

public sealed class CorrelationPropagationHandlerTests
{
    [Fact]
    public async Task AddCorrelationPropagation_AmbientContext_WritesCorrelationAndCausation()
    {
        var (client, server, _) = Build();

        using (CorrelationContext.BeginScope(new CorrelationContext("flow-1", "cause-0", "msg-7")))
        {
            using var response = await client.GetAsync("/", TestContext.Current.CancellationToken);
        }

        server.Attempts.ShouldHaveSingleItem().ShouldBe(("flow-1", "msg-7"));
    }

    [Fact]
    public async Task AddCorrelationPropagation_AmbientContext_ReplacesHeaderSetByCaller()
    {
        var (client, server, _) = Build();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("X-Correlation-ID", "caller-set");

        using (CorrelationContext.BeginScope(new CorrelationContext("ambient-flow")))
        {
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        }

        server.Attempts.ShouldHaveSingleItem().ShouldBe(("ambient-flow", null));
    }

    [Fact]
    public async Task AddCorrelationPropagation_AmbientContextWithRetries_EveryAttemptCarriesTheAmbientId()
    {
        var (client, server, _) = Build(failures: 2);

        using (CorrelationContext.BeginScope(new CorrelationContext("retried-flow")))
        {
            using var response = await client.GetAsync("/", TestContext.Current.CancellationToken);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        server.Attempts.Select(a => a.CorrelationId).ShouldBe(["retried-flow", "retried-flow", "retried-flow"]);
    }

    [Fact]
    public async Task AddCorrelationPropagation_NoAmbientContextWithRetries_GeneratesOneIdKeptAcrossAttempts()
    {
        var (client, server, logs) = Build(failures: 2);

        using var response = await client.GetAsync("/", TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        server.Attempts.Count.ShouldBe(3);
        var id = server.Attempts[0].CorrelationId;
        Guid.TryParse(id, out _).ShouldBeTrue();
        server.Attempts.ShouldAllBe(a => a.CorrelationId == id);
        logs.WithEventName("OutgoingCorrelationIdGenerated").ShouldHaveSingleItem().Message.ShouldContain(id!);
    }

    [Fact]
    public async Task AddCorrelationPropagation_NoAmbientContext_EachRequestMessageGetsItsOwnId()
    {
        var (client, server, _) = Build();

        using var first = await client.GetAsync("/", TestContext.Current.CancellationToken);
        using var second = await client.GetAsync("/", TestContext.Current.CancellationToken);

        server.Attempts.Count.ShouldBe(2);
        server.Attempts[0].CorrelationId.ShouldNotBe(server.Attempts[1].CorrelationId);
    }

    [Fact]
    public async Task AddCorrelationPropagation_NoAmbientContextAndHeaderSetByCaller_KeepsCallerHeader()
    {
        var (client, server, logs) = Build();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("x-correlation-id", "caller-set");

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        server.Attempts.ShouldHaveSingleItem().CorrelationId.ShouldBe("caller-set");
        logs.WithEventName("OutgoingCorrelationIdGenerated").ShouldBeEmpty();
    }

    [Fact]
    public async Task AddCorrelationPropagation_CustomHeaderName_IsUsed()
    {
        var (client, server, _) = Build(configure: o => o.HeaderName = "X-Flow-ID", headerName: "X-Flow-ID");

        using (CorrelationContext.BeginScope(new CorrelationContext("flow-2")))
        {
            using var response = await client.GetAsync("/", TestContext.Current.CancellationToken);
        }

        server.Attempts.ShouldHaveSingleItem().CorrelationId.ShouldBe("flow-2");
    }

    [Fact]
    public void AddCorrelationPropagation_WithoutAddCorrelation_ThrowsWhenTheClientIsCreated()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("x").AddCorrelationPropagation();
        using var provider = services.BuildServiceProvider();

        Should.Throw<InvalidOperationException>(() => provider.GetRequiredService<IHttpClientFactory>().CreateClient("x"))
            .Message.ShouldContain("AddCorrelation");
    }

    private static (HttpClient Client, RecordingServer Server, CapturingLoggerProvider Logs) Build(
        int failures = 0, Action<CorrelationOptions>? configure = null, string headerName = "X-Correlation-ID")
    {
        var logs = new CapturingLoggerProvider();
        var server = new RecordingServer(failures, headerName);
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        services.AddCorrelation(configure ?? (static _ => { }));
        services.AddHttpClient("x", c => c.BaseAddress = new Uri("http://service.invalid"))
            .AddHttpMessageHandler(() => new RetryHandler(maxAttempts: 3))
            .AddCorrelationPropagation()
            .ConfigurePrimaryHttpMessageHandler(() => server);
        var provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<IHttpClientFactory>().CreateClient("x"), server, logs);
    }

    /// <summary>A retry handler placed before the correlation handler, as a resilience handler would be: it resends the same message.</summary>
    private sealed class RetryHandler(int maxAttempts) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            for (var attempt = 1; ; attempt++)
            {
                var response = await base.SendAsync(request, cancellationToken);
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == maxAttempts)
                {
                    return response;
                }

                response.Dispose();
            }
        }
    }

    /// <summary>The primary handler: records the headers of every attempt and fails the first <c>failures</c> ones.</summary>
    private sealed class RecordingServer(int failures, string headerName) : HttpMessageHandler
    {
        private readonly List<(string? CorrelationId, string? CausationId)> _attempts = [];

        public IReadOnlyList<(string? CorrelationId, string? CausationId)> Attempts
        {
            get
            {
                lock (_attempts)
                {
                    return [.. _attempts];
                }
            }
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            int count;
            lock (_attempts)
            {
                _attempts.Add((Single(request, headerName), Single(request, "X-Causation-ID")));
                count = _attempts.Count;
            }

            return Task.FromResult(new HttpResponseMessage(count <= failures ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK));
        }

        private static string? Single(HttpRequestMessage request, string name) =>
            request.Headers.TryGetValues(name, out var values) ? values.Single() : null;
    }
}
