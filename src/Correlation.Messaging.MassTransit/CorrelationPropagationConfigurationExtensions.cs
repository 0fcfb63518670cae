using Correlation.Messaging;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.MassTransit.Filters;
using Correlation.Messaging.MassTransit.Internal;
using MassTransit.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MassTransit;

/// <summary>
/// Adds correlation ID propagation to a MassTransit bus on any transport: every sent and published message carries the
/// correlation and causation headers, and every consumed message restores the correlation context and logging scope
/// before any filter or consumer runs.
/// </summary>
/// <remarks>
/// <para>On RabbitMQ, <c>Correlation.Messaging.MassTransit.RabbitMq</c> adds overloads for the RabbitMQ configurator that
/// also write and read the AMQP <c>correlation_id</c> property; the same call picks them up.</para>
/// <para>Call it before <c>ConfigureEndpoints</c> and <c>ReceiveEndpoint</c>: endpoints configured earlier still restore the
/// context for consumers, but their receive-level log lines (a faulted deserialization or a rejected ID, the move to
/// the error queue) are not inside the logging scope.</para>
/// </remarks>
public static class CorrelationPropagationConfigurationExtensions
{
    /// <summary>
    /// Propagates correlation IDs with <see cref="CorrelationPropagator.Default"/>: default options and no log events.
    /// </summary>
    /// <param name="configurator">The bus configurator.</param>
    /// <exception cref="ArgumentNullException"><paramref name="configurator"/> is <see langword="null"/>.</exception>
    /// <remarks>With <c>AddMassTransit</c>, prefer <see cref="UseCorrelationPropagation(IBusFactoryConfigurator, IServiceProvider)"/>
    /// so that registered options and the application's logger factory apply.</remarks>
    public static void UseCorrelationPropagation(this IBusFactoryConfigurator configurator) =>
        configurator.UseCorrelationPropagation(CorrelationPropagator.Default, TransportCorrelation.Headers);

    /// <summary>Propagates correlation IDs with options configured in code, without dependency injection.</summary>
    /// <param name="configurator">The bus configurator.</param>
    /// <param name="configure">Configures the options.</param>
    /// <param name="loggerFactory">The logger factory for log events and the logging scope, or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="configurator"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">The configured options are invalid.</exception>
    public static void UseCorrelationPropagation(
        this IBusFactoryConfigurator configurator,
        Action<CorrelationOptions> configure,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        configurator.UseCorrelationPropagation(Propagator(configure, loggerFactory), TransportCorrelation.Headers);
    }

    /// <summary>
    /// Propagates correlation IDs with the application's registrations: inside
    /// <c>x.UsingRabbitMq((context, cfg) =&gt; cfg.UseCorrelationPropagation(context))</c>.
    /// </summary>
    /// <param name="configurator">The bus configurator.</param>
    /// <param name="provider">The bus registration context (or any service provider).</param>
    /// <exception cref="ArgumentNullException"><paramref name="configurator"/> or <paramref name="provider"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">The registered options are invalid.</exception>
    /// <remarks>
    /// Uses the registered <see cref="CorrelationPropagator"/> (<c>services.AddCorrelation(...)</c>); without one, a
    /// propagator from the registered <see cref="CorrelationOptions"/> (or the defaults) and <see cref="ILoggerFactory"/>.
    /// </remarks>
    public static void UseCorrelationPropagation(this IBusFactoryConfigurator configurator, IServiceProvider provider)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        configurator.UseCorrelationPropagation(Propagator(provider), TransportCorrelation.Headers);
    }

    /// <summary>Propagates correlation IDs with the given propagator.</summary>
    /// <param name="configurator">The bus configurator.</param>
    /// <param name="propagator">The propagator: its options, generator and logger factory apply.</param>
    /// <exception cref="ArgumentNullException"><paramref name="configurator"/> or <paramref name="propagator"/> is <see langword="null"/>.</exception>
    public static void UseCorrelationPropagation(this IBusFactoryConfigurator configurator, CorrelationPropagator propagator) =>
        configurator.UseCorrelationPropagation(propagator, TransportCorrelation.Headers);

    /// <summary>Builds a propagator from options configured in code.</summary>
    internal static CorrelationPropagator Propagator(Action<CorrelationOptions> configure, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new CorrelationOptions();
        configure(options);
        return new CorrelationPropagator(options, loggerFactory);
    }

    /// <summary>The registered propagator; else one from the registered options (or the defaults) and logger factory.</summary>
    internal static CorrelationPropagator Propagator(IServiceProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return provider.GetService(typeof(CorrelationPropagator)) as CorrelationPropagator
            ?? new CorrelationPropagator(
                (provider.GetService(typeof(IOptions<CorrelationOptions>)) as IOptions<CorrelationOptions>)?.Value ?? new CorrelationOptions(),
                provider.GetService(typeof(ILoggerFactory)) as ILoggerFactory);
    }

    /// <summary>Adds the filters and observers, with the transport's carrier.</summary>
    internal static void UseCorrelationPropagation(this IBusFactoryConfigurator configurator, CorrelationPropagator propagator, TransportCorrelation transport)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentNullException.ThrowIfNull(propagator);

        var specification = new CorrelationPipeSpecification(propagator, transport);
        configurator.ConfigureSend(send => send.AddPipeSpecification((IPipeSpecification<SendContext>)specification));
        configurator.ConfigurePublish(publish => publish.AddPipeSpecification((IPipeSpecification<PublishContext>)specification));
        configurator.AddPrePipeSpecification(specification);
        configurator.ConnectEndpointConfigurationObserver(new CorrelationEndpointConfigurationObserver(specification));
        ProcessSpanTagger.EnsureStarted(propagator.Options);
        var traceObserver = new CorrelationTraceObserver(propagator);
        configurator.ConnectSendObserver(traceObserver);
        configurator.ConnectPublishObserver(traceObserver);
    }
}
