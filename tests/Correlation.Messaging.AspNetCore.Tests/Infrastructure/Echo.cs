using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.AspNetCore.Tests.Infrastructure;

/// <summary>What an endpoint saw of the ambient correlation context.</summary>
public sealed record SeenContext(string? CorrelationId, string? CausationId, string? Source, string TraceIdentifier, string? MessageId = null);

public static class Echo
{
    public const string HandledMessage = "Handled the request";

    /// <summary>Maps <c>/echo</c>: logs one line and returns the ambient context as JSON.</summary>
    public static void Map(WebApplication app) => app.MapGet("/echo", static (HttpContext http, ILoggerFactory loggers) =>
    {
        loggers.CreateLogger("Tests.Echo").LogInformation(HandledMessage);
        var current = CorrelationContext.Current;
        return new SeenContext(current?.CorrelationId, current?.CausationId, current?.Source.ToString(), http.TraceIdentifier, current?.MessageId);
    });

    public static HttpRequestMessage Request(string path, string? correlationId = null, string headerName = "X-Correlation-ID")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (correlationId is not null)
        {
            request.Headers.TryAddWithoutValidation(headerName, correlationId);
        }

        return request;
    }

    public static string? Header(this HttpResponseMessage response, string name = "X-Correlation-ID") =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;
}
