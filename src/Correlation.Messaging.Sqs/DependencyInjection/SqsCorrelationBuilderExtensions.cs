using Amazon.SQS;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs;
using Correlation.Messaging.Sqs.Processing.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Correlation for the <see cref="IAmazonSQS"/> registered with <c>AddAWSService&lt;IAmazonSQS&gt;()</c>, and the
/// correlating SQS processor as a hosted service.
/// </summary>
public static class SqsCorrelationBuilderExtensions
{
    /// <summary>
    /// Makes every <see cref="IAmazonSQS"/> registered so far correlating: every <c>SendMessage</c> and
    /// <c>SendMessageBatch</c> it sends carries the correlation attributes, and every <c>ReceiveMessage</c> asks for
    /// them, through a handler in the AWS SDK's runtime pipeline. Application code keeps calling the SDK as before.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddCorrelation()</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">No <see cref="IAmazonSQS"/> is registered yet: call
    /// <c>services.AddAWSService&lt;IAmazonSQS&gt;()</c> (or register the client) first.</exception>
    /// <remarks>
    /// This registers the handler with the SDK's process-wide pipeline customizers (see <see cref="SqsCorrelation"/>
    /// for what that covers), and binds each registered client to this container's <see cref="CorrelationPropagator"/>
    /// when it is resolved. A client registered as an instance must be created after this call.
    /// </remarks>
    public static ICorrelationBuilder AddSqs(this ICorrelationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        SqsCorrelation.Register();

        var services = builder.Services;
        var found = false;
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType != typeof(IAmazonSQS) || descriptor is { IsKeyedService: false, ImplementationFactory.Target: BindMarker })
            {
                continue;
            }

            services[i] = Decorate(descriptor);
            found = true;
        }

        if (!found)
        {
            throw new InvalidOperationException(
                "No IAmazonSQS is registered: call services.AddAWSService<IAmazonSQS>() (or register an AmazonSQSClient) before AddCorrelation().AddSqs().");
        }

        return builder;
    }

    /// <summary>
    /// Runs a correlating <see cref="SqsMessageProcessor"/> on <paramref name="queue"/> as a hosted service, with a new
    /// dependency-injection scope and <typeparamref name="THandler"/> per message. Its options are validated when the host starts.
    /// </summary>
    /// <typeparam name="THandler">The message handler, registered as scoped unless it is already registered.</typeparam>
    /// <param name="builder">The builder returned by <c>AddCorrelation()</c>.</param>
    /// <param name="queue">The queue URL, or the queue name.</param>
    /// <param name="configure">Configures the processor options, or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="queue"/> is empty.</exception>
    public static ICorrelationBuilder AddSqsProcessor<THandler>(this ICorrelationBuilder builder, string queue, Action<SqsProcessorOptions>? configure = null)
        where THandler : class, ISqsMessageHandler
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(queue);

        var services = builder.Services;
        var name = typeof(THandler).FullName + ":" + queue;
        services.AddOptions<SqsProcessorOptions>(name)
            .Configure(o =>
            {
                o.QueueUrl = queue;
                configure?.Invoke(o);
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqsProcessorOptions>, SqsProcessorOptionsValidator>());
        services.TryAddScoped<THandler>();
        services.AddSingleton<IHostedService>(sp => new SqsProcessorHostedService<THandler>(sp, name));
        return builder;
    }

    private static ServiceDescriptor Decorate(ServiceDescriptor descriptor)
    {
        var marker = new BindMarker(descriptor);
        return descriptor.IsKeyedService
            ? new ServiceDescriptor(typeof(IAmazonSQS), descriptor.ServiceKey, (sp, _) => marker.Create(sp), descriptor.Lifetime)
            : new ServiceDescriptor(typeof(IAmazonSQS), marker.Create, descriptor.Lifetime);
    }

    /// <summary>Creates the client as the original registration would, then binds it to the container's propagator.</summary>
    private sealed class BindMarker(ServiceDescriptor inner)
    {
        public object Create(IServiceProvider services)
        {
            object client;
            if (inner.IsKeyedService)
            {
                client = inner.KeyedImplementationInstance
                    ?? inner.KeyedImplementationFactory?.Invoke(services, inner.ServiceKey)
                    ?? ActivatorUtilities.CreateInstance(services, inner.KeyedImplementationType!);
            }
            else
            {
                client = inner.ImplementationInstance
                    ?? inner.ImplementationFactory?.Invoke(services)
                    ?? ActivatorUtilities.CreateInstance(services, inner.ImplementationType!);
            }

            return ((IAmazonSQS)client).UseCorrelation(services.GetRequiredService<CorrelationPropagator>());
        }
    }
}
