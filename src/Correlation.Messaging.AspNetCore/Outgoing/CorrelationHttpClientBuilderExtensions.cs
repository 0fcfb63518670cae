using Correlation.Messaging.AspNetCore.Outgoing;
using Correlation.Messaging.Propagation;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Forwards the correlation ID on outgoing <see cref="System.Net.Http.HttpClient"/> requests.
/// </summary>
public static class CorrelationHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds a handler that writes the ambient correlation ID (and causation ID) to every request of this client. It never
    /// replaces the ambient ID mid-flight; without an ambient context it generates one ID per request message, which
    /// retries of that message keep.
    /// </summary>
    /// <param name="builder">The HTTP client builder.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// Header names come from the registered <see cref="CorrelationPropagator"/> (<c>services.AddCorrelation()</c>); the
    /// first request fails with <see cref="InvalidOperationException"/> when it is missing. A retry handler added before
    /// this one resends through it and keeps the same ID; W3C <c>traceparent</c> is left to <see cref="System.Net.Http.HttpClient"/>'s own propagation.
    /// </remarks>
    public static IHttpClientBuilder AddCorrelationPropagation(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddHttpMessageHandler(static services => new CorrelationPropagationHandler(
            services.GetService<CorrelationPropagator>()
            ?? throw new InvalidOperationException("AddCorrelationPropagation() needs the correlation services: call services.AddCorrelation() first.")));
    }
}
