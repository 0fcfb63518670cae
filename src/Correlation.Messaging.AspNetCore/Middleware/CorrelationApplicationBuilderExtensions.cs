using Correlation.Messaging.AspNetCore;
using Correlation.Messaging.AspNetCore.DependencyInjection;
using Correlation.Messaging.AspNetCore.Middleware;
using Correlation.Messaging.Propagation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Adds the correlation middleware to the request pipeline.
/// </summary>
public static class CorrelationApplicationBuilderExtensions
{
    /// <summary>
    /// Adds the correlation middleware: it reads the inbound correlation ID (validated with the configured policies),
    /// or generates one, makes it ambient with a logging scope for the rest of the pipeline, and echoes it on every
    /// response, including errors.
    /// </summary>
    /// <param name="app">The application builder.</param>
    /// <returns>The same application builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="app"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><c>services.AddCorrelation().AddAspNetCore()</c> was not called.</exception>
    /// <remarks>
    /// Call it early: everything after it (routing, authentication, exception handlers, endpoints) runs inside the
    /// correlation scope and logs the ID.
    /// </remarks>
    public static IApplicationBuilder UseCorrelation(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var services = app.ApplicationServices;
        var propagator = services.GetService<CorrelationPropagator>();
        if (propagator is null || services.GetService<CorrelationAspNetCoreMarker>() is null)
        {
            throw new InvalidOperationException(
                "UseCorrelation() needs the correlation services: call services.AddCorrelation(...).AddAspNetCore(...) first.");
        }

        var options = services.GetRequiredService<IOptions<CorrelationHttpOptions>>().Value;
        var loggerFactory = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        return app.Use(next => new CorrelationMiddleware(next, propagator, options, loggerFactory).InvokeAsync);
    }
}
