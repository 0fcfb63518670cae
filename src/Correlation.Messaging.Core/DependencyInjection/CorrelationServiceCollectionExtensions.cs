using Correlation.Messaging;
using Correlation.Messaging.DependencyInjection;
using Correlation.Messaging.Internal;
using Correlation.Messaging.Propagation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the correlation context, options and propagator.
/// </summary>
public static class CorrelationServiceCollectionExtensions
{
    /// <summary>
    /// Adds correlation ID propagation. The options are bound from the <c>Correlation</c> section of the application's
    /// <see cref="IConfiguration"/> when the container has one (every ASP.NET Core and generic host has) and the section
    /// exists; otherwise they keep their defaults. Configuration in code (the other overloads, <c>Configure</c>) runs after it.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder for further registrations.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static ICorrelationBuilder AddCorrelation(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptionsWithValidateOnStart<CorrelationOptions, CorrelationOptionsValidator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<CorrelationOptions>, CorrelationConfigurationBinding>());
        services.TryAddSingleton<ICorrelationContextAccessor>(CorrelationContextAccessor.Instance);
        services.TryAddSingleton(static sp => new CorrelationPropagator(
            sp.GetRequiredService<IOptions<CorrelationOptions>>(), sp.GetService<ILoggerFactory>()));
        return new CorrelationBuilder(services);
    }

    /// <summary>Adds correlation ID propagation, configured in code (after the <c>Correlation</c> configuration section, when there is one).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>A builder for further registrations.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static ICorrelationBuilder AddCorrelation(this IServiceCollection services, Action<CorrelationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = services.AddCorrelation();
        services.Configure(configure);
        return builder;
    }

    /// <summary>Adds correlation ID propagation, bound to a configuration section instead of the default <c>Correlation</c> section.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="section">The configuration section, for example <c>Configuration.GetSection("Correlation")</c>.</param>
    /// <returns>A builder for further registrations.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="section"/> is <see langword="null"/>.</exception>
    public static ICorrelationBuilder AddCorrelation(this IServiceCollection services, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var builder = services.AddCorrelation();
        services.TryAddSingleton<CorrelationConfigurationBinding.ExplicitSection>();
        services.AddOptions<CorrelationOptions>().Bind(section);
        return builder;
    }

    private sealed class CorrelationBuilder(IServiceCollection services) : ICorrelationBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
