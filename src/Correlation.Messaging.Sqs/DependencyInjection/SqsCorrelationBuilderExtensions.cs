using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs;
using Correlation.Messaging.Sqs.Client;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the SQS client with correlation propagation.
/// </summary>
public static class SqsCorrelationBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="ISqsClient"/> as a <see cref="CorrelatingSqsClient"/> over a <see cref="SqsClient"/> that
    /// takes the <see cref="HttpClient"/> named <see cref="SqsClient.HttpClientName"/> from <see cref="IHttpClientFactory"/>.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddCorrelation()</c>.</param>
    /// <param name="configure">Configures the client options (region, service URL, credentials, retries).</param>
    /// <returns>The HTTP client builder of the named client, to add handlers or resilience.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static IHttpClientBuilder AddSqsClient(this ICorrelationBuilder builder, Action<SqsClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        var services = builder.Services;
        services.AddOptions<SqsClientOptions>()
            .Configure(configure)
            .Validate(o => o.MaxRetries >= 0 && o.RetryBaseDelay >= TimeSpan.Zero && o.RetryMaxDelay >= o.RetryBaseDelay, "SqsClientOptions: MaxRetries and retry delays must be non-negative, and RetryMaxDelay >= RetryBaseDelay.")
            .ValidateOnStart();
        services.TryAddSingleton(sp => new SqsClient(
            sp.GetRequiredService<IOptions<SqsClientOptions>>().Value,
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<ISqsClient>(sp => new CorrelatingSqsClient(
            sp.GetRequiredService<SqsClient>(),
            sp.GetRequiredService<CorrelationPropagator>()));
        return services.AddHttpClient(SqsClient.HttpClientName);
    }
}
