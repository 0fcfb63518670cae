using Correlation.Messaging;
using Correlation.Messaging.AspNetCore.Middleware;

namespace Microsoft.AspNetCore.Http;

/// <summary>
/// Reads the correlation context that <c>UseCorrelation()</c> attached to a request.
/// </summary>
public static class CorrelationHttpContextExtensions
{
    /// <summary>
    /// Gets the correlation context of <paramref name="context"/>, also outside the middleware's scope (for example in
    /// an exception handler placed before <c>UseCorrelation()</c>, or in <c>OnCompleted</c> callbacks).
    /// </summary>
    /// <param name="context">The HTTP context.</param>
    /// <returns>The request's correlation context, or <see langword="null"/> when the middleware has not run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is <see langword="null"/>.</exception>
    public static CorrelationContext? GetCorrelationContext(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<CorrelationHttpFeature>()?.Context;
    }
}
