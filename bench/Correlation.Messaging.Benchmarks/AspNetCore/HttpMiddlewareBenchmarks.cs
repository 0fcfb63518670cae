using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Correlation.Messaging.Benchmarks.AspNetCore;

/// <summary>
/// The correlation middleware (<c>app.UseCorrelation()</c>) against the same in-memory ASP.NET Core pipeline without it:
/// one request through a built <see cref="RequestDelegate"/> with an empty terminal endpoint, with and without an inbound
/// <c>X-Correlation-ID</c>. The difference is the middleware's cost per request (extraction, scope, response header).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class HttpMiddlewareBenchmarks
{
    private RequestDelegate _without = null!;
    private RequestDelegate _with = null!;
    private IServiceProvider _services = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCorrelation().AddAspNetCore();
        _services = services.BuildServiceProvider();
        _without = Build(_services, correlate: false);
        _with = Build(_services, correlate: true);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("inbound ID")]
    public Task Pipeline_InboundId() => _without(Request("0f8fad5b-d9cb-469f-a165-70867728950e"));

    [Benchmark]
    [BenchmarkCategory("inbound ID")]
    public Task PipelineWithCorrelation_InboundId() => _with(Request("0f8fad5b-d9cb-469f-a165-70867728950e"));

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("no inbound ID")]
    public Task Pipeline_NoId() => _without(Request(null));

    [Benchmark]
    [BenchmarkCategory("no inbound ID")]
    public Task PipelineWithCorrelation_NoId() => _with(Request(null));

    private DefaultHttpContext Request(string? correlationId)
    {
        var context = new DefaultHttpContext { RequestServices = _services };
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = "/orders/42";
        if (correlationId is not null)
        {
            context.Request.Headers["X-Correlation-ID"] = correlationId;
        }

        return context;
    }

    private static RequestDelegate Build(IServiceProvider services, bool correlate)
    {
        var app = new ApplicationBuilder(services);
        if (correlate)
        {
            app.UseCorrelation();
        }

        app.Run(static _ => Task.CompletedTask);
        return app.Build();
    }
}
