using Correlation.Messaging;
using Correlation.Messaging.MassTransit.RabbitMq.Internal;
using Correlation.Messaging.Propagation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MassTransit;

/// <summary>
/// Adds correlation ID propagation to a MassTransit bus on RabbitMQ: everything
/// <see cref="CorrelationPropagationConfigurationExtensions"/> does on any transport, plus the AMQP <c>correlation_id</c>
/// property, written when neither MassTransit nor the application owns it and read after the correlation header.
/// </summary>
/// <remarks>
/// These overloads take the RabbitMQ configurator, so <c>cfg.UseCorrelationPropagation(context)</c> inside
/// <c>UsingRabbitMq</c> picks them once this package is referenced; the call does not change.
/// </remarks>
public static class RabbitMqCorrelationPropagationConfigurationExtensions
{
    /// <summary>Propagates correlation IDs with <see cref="CorrelationPropagator.Default"/>: default options and no log events.</summary>
    /// <param name="configurator">The RabbitMQ bus configurator.</param>
    /// <exception cref="ArgumentNullException"><paramref name="configurator"/> is <see langword="null"/>.</exception>
    public static void UseCorrelationPropagation(this IRabbitMqBusFactoryConfigurator configurator) =>
        configurator.UseCorrelationPropagation(CorrelationPropagator.Default, RabbitMqTransportCorrelation.Instance);

    /// <summary>Propagates correlation IDs with options configured in code, without dependency injection.</summary>
    /// <param name="configurator">The RabbitMQ bus configurator.</param>
    /// <param name="configure">Configures the options.</param>
    /// <param name="loggerFactory">The logger factory for log events and the logging scope, or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="configurator"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">The configured options are invalid.</exception>
    public static void UseCorrelationPropagation(
        this IRabbitMqBusFactoryConfigurator configurator,
        Action<CorrelationOptions> configure,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        configurator.UseCorrelationPropagation(
            CorrelationPropagationConfigurationExtensions.Propagator(configure, loggerFactory), RabbitMqTransportCorrelation.Instance);
    }

    /// <summary>
    /// Propagates correlation IDs with the application's registrations: inside
    /// <c>x.UsingRabbitMq((context, cfg) =&gt; cfg.UseCorrelationPropagation(context))</c>.
    /// </summary>
    /// <param name="configurator">The RabbitMQ bus configurator.</param>
    /// <param name="provider">The bus registration context (or any service provider).</param>
    /// <exception cref="ArgumentNullException"><paramref name="configurator"/> or <paramref name="provider"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">The registered options are invalid.</exception>
    /// <remarks>
    /// Uses the registered <see cref="CorrelationPropagator"/> (<c>services.AddCorrelation(...)</c>); without one, a
    /// propagator from the registered <see cref="CorrelationOptions"/> (or the defaults) and <see cref="ILoggerFactory"/>.
    /// </remarks>
    public static void UseCorrelationPropagation(this IRabbitMqBusFactoryConfigurator configurator, IServiceProvider provider)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        configurator.UseCorrelationPropagation(
            CorrelationPropagationConfigurationExtensions.Propagator(provider), RabbitMqTransportCorrelation.Instance);
    }

    /// <summary>Propagates correlation IDs with the given propagator.</summary>
    /// <param name="configurator">The RabbitMQ bus configurator.</param>
    /// <param name="propagator">The propagator: its options, generator and logger factory apply.</param>
    /// <exception cref="ArgumentNullException"><paramref name="configurator"/> or <paramref name="propagator"/> is <see langword="null"/>.</exception>
    public static void UseCorrelationPropagation(this IRabbitMqBusFactoryConfigurator configurator, CorrelationPropagator propagator) =>
        configurator.UseCorrelationPropagation(propagator, RabbitMqTransportCorrelation.Instance);
}
