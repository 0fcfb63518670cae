using Microsoft.AspNetCore.Http;

namespace Correlation.Messaging.AspNetCore.Middleware;

/// <summary>
/// The correlation context of one request, kept on <see cref="HttpContext.Features"/> so that code running outside the
/// middleware's scope (exception handlers placed before it, ProblemDetails writers) still finds it.
/// </summary>
internal sealed class CorrelationHttpFeature(CorrelationContext context, HttpResponse response, string responseHeaderName)
{
    public static readonly Func<object, Task> WriteResponseHeaderCallback = static state =>
    {
        ((CorrelationHttpFeature)state).WriteResponseHeader();
        return Task.CompletedTask;
    };

    public CorrelationContext Context { get; } = context;

    /// <summary>Sets the response header; runs again from <see cref="HttpResponse.OnStarting(Func{object, Task}, object)"/>, after any <c>Response.Clear()</c>.</summary>
    public void WriteResponseHeader() => response.Headers[responseHeaderName] = Context.CorrelationId;
}
