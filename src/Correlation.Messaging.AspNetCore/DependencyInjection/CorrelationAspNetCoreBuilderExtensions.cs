using Correlation.Messaging;
using Correlation.Messaging.AspNetCore;
using Correlation.Messaging.AspNetCore.DependencyInjection;
using Correlation.Messaging.Propagation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the ASP.NET Core edge of correlation propagation.
/// </summary>
public static class CorrelationAspNetCoreBuilderExtensions
{
    /// <summary>
    /// Adds the services of <c>app.UseCorrelation()</c>, and the <c>correlation_id</c> extension of ProblemDetails bodies
    /// written by <see cref="IProblemDetailsService"/>.
    /// </summary>
    /// <param name="builder">The builder returned by <c>services.AddCorrelation(...)</c>.</param>
    /// <param name="configure">Configures the HTTP-specific options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <example>
    /// <code>
    /// builder.Services.AddCorrelation(o => o.InvalidIdPolicy = InvalidCorrelationIdPolicy.Reject)
    ///     .AddAspNetCore(http => http.TrustedNetworks.Add("10.0.0.0/8"));
    /// builder.Services.AddProblemDetails();
    /// ...
    /// app.UseCorrelation();
    /// </code>
    /// </example>
    public static ICorrelationBuilder AddAspNetCore(this ICorrelationBuilder builder, Action<CorrelationHttpOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (configure is not null)
        {
            services.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(CorrelationAspNetCoreMarker)))
        {
            return builder;
        }

        services.AddSingleton(CorrelationAspNetCoreMarker.Instance);
        services.AddOptionsWithValidateOnStart<CorrelationHttpOptions, CorrelationHttpOptionsValidator>();

        // Ours runs first, so that a user's own CustomizeProblemDetails has the last word.
        services.AddOptions<ProblemDetailsOptions>().PostConfigure<IOptions<CorrelationHttpOptions>>(static (problemDetails, http) =>
        {
            if (!http.Value.IncludeInProblemDetails)
            {
                return;
            }

            var inner = problemDetails.CustomizeProblemDetails;
            problemDetails.CustomizeProblemDetails = inner is null
                ? AddCorrelationId
                : context =>
                {
                    AddCorrelationId(context);
                    inner(context);
                };
        });

        return builder;
    }

    /// <summary>
    /// Adds the services of <c>app.UseCorrelation()</c> with HTTP-specific options bound from configuration, and the
    /// <c>correlation_id</c> extension of ProblemDetails bodies written by <see cref="IProblemDetailsService"/>.
    /// </summary>
    /// <param name="builder">The builder returned by <c>services.AddCorrelation(...)</c>.</param>
    /// <param name="section">The section that holds the <see cref="CorrelationHttpOptions"/> (for example <c>Correlation:Http</c>).</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="section"/> is <see langword="null"/>.</exception>
    /// <example>
    /// <code>
    /// // appsettings.json: { "Correlation": { "Http": { "TrustedNetworks": [ "10.0.0.0/8" ], "SetTraceIdentifier": true } } }
    /// builder.Services.AddCorrelation(builder.Configuration.GetSection("Correlation"))
    ///     .AddAspNetCore(builder.Configuration.GetSection("Correlation:Http"));
    /// </code>
    /// </example>
    public static ICorrelationBuilder AddAspNetCore(this ICorrelationBuilder builder, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.Services.Configure<CorrelationHttpOptions>(section);
        return builder.AddAspNetCore();
    }

    private static void AddCorrelationId(ProblemDetailsContext context)
    {
        var correlation = context.HttpContext.GetCorrelationContext() ?? CorrelationContext.Current;
        if (correlation is not null)
        {
            context.ProblemDetails.Extensions[CorrelationHeaders.CorrelationIdLogField] = correlation.CorrelationId;
        }
    }
}
