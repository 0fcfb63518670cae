using Correlation.Messaging.Hangfire.Internal;
using Hangfire.Common;
using Correlation.Messaging.Propagation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangfire;

/// <summary>
/// Adds correlation to Hangfire: a job created inside a flow runs, on every attempt, in that flow, with the message or
/// request that enqueued it as its causation and the job ID as its message ID.
/// </summary>
public static class CorrelationHangfireConfigurationExtensions
{
    /// <summary>
    /// Registers the correlation job filter globally, with the propagator and logger factory of the application's services.
    /// </summary>
    /// <param name="configuration">The Hangfire configuration.</param>
    /// <param name="services">The application's services, where <c>services.AddCorrelation()</c> registered the propagator.</param>
    /// <returns><paramref name="configuration"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configuration"/> or <paramref name="services"/> is <see langword="null"/>.</exception>
    /// <example>
    /// <code>
    /// builder.Services.AddCorrelation();
    /// builder.Services.AddHangfire((sp, config) => config.UseInMemoryStorage().UseCorrelation(sp));
    /// </code>
    /// </example>
    public static IGlobalConfiguration UseCorrelation(this IGlobalConfiguration configuration, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return configuration.UseCorrelation(
            services.GetRequiredService<CorrelationPropagator>(),
            services.GetService<ILoggerFactory>());
    }

    /// <summary>
    /// Registers the correlation job filter globally, for applications without dependency injection. A filter registered
    /// by an earlier call is replaced.
    /// </summary>
    /// <param name="configuration">The Hangfire configuration.</param>
    /// <param name="propagator">The propagator whose options, logger and metrics apply when a job's flow is restored.</param>
    /// <param name="loggerFactory">The logger factory for the package's own log events, or <see langword="null"/> for none.</param>
    /// <returns><paramref name="configuration"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configuration"/> or <paramref name="propagator"/> is <see langword="null"/>.</exception>
    public static IGlobalConfiguration UseCorrelation(this IGlobalConfiguration configuration, CorrelationPropagator propagator, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(propagator);
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(Log.CategoryName);
        foreach (var registered in GlobalJobFilters.Filters.Where(static f => f.Instance is CorrelationJobFilter).ToList())
        {
            GlobalJobFilters.Filters.Remove(registered.Instance);
        }

        return configuration.UseFilter(new CorrelationJobFilter(propagator, logger));
    }
}
