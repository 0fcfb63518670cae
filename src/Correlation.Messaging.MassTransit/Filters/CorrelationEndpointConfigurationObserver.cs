using MassTransit;

namespace Correlation.Messaging.MassTransit.Filters;

/// <summary>
/// Adds the receive filter to every receive endpoint configured after <c>UseCorrelationPropagation</c>, and to the
/// bus endpoint (which receives responses). MassTransit has no bus-wide receive pipe; this is its own pattern for one.
/// </summary>
internal sealed class CorrelationEndpointConfigurationObserver(CorrelationPipeSpecification specification) : IEndpointConfigurationObserver
{
    public void EndpointConfigured<T>(T configurator)
        where T : IReceiveEndpointConfigurator =>
        configurator.ConfigureReceive(receive => receive.AddPipeSpecification(specification));
}
