using System.Net;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace Correlation.Messaging.Benchmarks.AspNetCore;

/// <summary>
/// The outgoing <c>HttpClient</c> handler (<c>AddCorrelationPropagation()</c>) against the same <c>IHttpClientFactory</c>
/// client without it. Both end in an in-memory handler that answers 200 at once, so the difference is the handler's
/// cost per request (reading the ambient context and writing the headers).
/// </summary>
[MemoryDiagnoser]
public class HttpClientHandlerBenchmarks
{
    private static readonly Uri Target = new("http://inventory.internal/stock/42");

    private ServiceProvider _services = null!;
    private HttpClient _without = null!;
    private HttpClient _with = null!;
    private CorrelationScope _scope;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCorrelation();
        services.AddHttpClient("without").ConfigurePrimaryHttpMessageHandler(static () => new AnswerOk());
        services.AddHttpClient("with").AddCorrelationPropagation().ConfigurePrimaryHttpMessageHandler(static () => new AnswerOk());
        _services = services.BuildServiceProvider();
        var factory = _services.GetRequiredService<IHttpClientFactory>();
        _without = factory.CreateClient("without");
        _with = factory.CreateClient("with");

        // The request is sent while a message or request is being handled: its context is ambient.
        #pragma warning disable CM0005 // deliberate: the benchmark runs inside one flow from setup to cleanup, which disposes it
        _scope = CorrelationContext.BeginScope(new CorrelationContext("0f8fad5b-d9cb-469f-a165-70867728950e", messageId: "5f3c1c8e-93c9-4b9e-9a0c-0c54b7f1d1a2"));
        #pragma warning restore CM0005
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _scope.Dispose();
        _services.Dispose();
    }

    [Benchmark(Baseline = true)]
    public async Task<HttpStatusCode> HttpClient_Send()
    {
        using var response = await _without.GetAsync(Target);
        return response.StatusCode;
    }

    [Benchmark]
    public async Task<HttpStatusCode> HttpClientWithCorrelation_Send()
    {
        using var response = await _with.GetAsync(Target);
        return response.StatusCode;
    }

    private sealed class AnswerOk : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request });
    }
}
