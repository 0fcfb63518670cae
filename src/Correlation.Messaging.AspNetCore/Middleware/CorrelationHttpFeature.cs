using System.Text;
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
    /// <remarks>An ID outside ASCII (which the middleware never makes ambient) is not written: Kestrel would throw.</remarks>
    public void WriteResponseHeader()
    {
        if (Ascii.IsValid(Context.CorrelationId))
        {
            response.Headers[responseHeaderName] = Context.CorrelationId;
        }
    }
}
