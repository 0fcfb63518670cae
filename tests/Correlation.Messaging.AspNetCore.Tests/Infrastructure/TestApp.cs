using Correlation.Messaging.AspNetCore;
using Correlation.Messaging.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.AspNetCore.Tests.Infrastructure;

public enum HostKind
{
    /// <summary>The in-memory ASP.NET Core test server.</summary>
    TestServer,

    /// <summary>A real Kestrel listening on a random loopback port.</summary>
    Kestrel,
}

/// <summary>A minimal web application on the test server or on a real Kestrel, with captured logs.</summary>
public sealed class TestApp : IAsyncDisposable
{
    private TestApp(WebApplication app, HttpClient client, CapturingLoggerProvider logs, Uri baseAddress)
    {
        App = app;
        Client = client;
        Logs = logs;
        BaseAddress = baseAddress;
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public CapturingLoggerProvider Logs { get; }

    public Uri BaseAddress { get; }

    public static async Task<TestApp> StartAsync(
        HostKind kind,
        Action<WebApplication> endpoints,
        Action<CorrelationOptions>? correlation = null,
        Action<CorrelationHttpOptions>? http = null,
        Action<WebApplicationBuilder>? services = null,
        Action<WebApplication>? beforeCorrelation = null,
        Action<WebApplication>? afterCorrelation = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = kind == HostKind.Kestrel ? ["--urls", "http://127.0.0.1:0"] : [],
            EnvironmentName = Environments.Production,
            ApplicationName = typeof(TestApp).Assembly.GetName().Name,
        });
        if (kind == HostKind.TestServer)
        {
            builder.WebHost.UseTestServer();
        }

        var logs = new CapturingLoggerProvider();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddCorrelation(correlation ?? (static _ => { })).AddAspNetCore(http);
        services?.Invoke(builder);

        var app = builder.Build();
        beforeCorrelation?.Invoke(app);
        app.UseCorrelation();
        afterCorrelation?.Invoke(app);
        endpoints(app);
        await app.StartAsync(TestContext.Current.CancellationToken);

        if (kind == HostKind.TestServer)
        {
            var client = app.GetTestClient();
            return new TestApp(app, client, logs, client.BaseAddress!);
        }

        var address = new Uri(app.Urls.Single());
        return new TestApp(app, new HttpClient { BaseAddress = address }, logs, address);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }
}
