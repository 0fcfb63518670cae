using Correlation.Messaging.MassTransit.Internal;
using Correlation.Messaging.Propagation;
using MassTransit;
using MassTransit.Configuration;

namespace Correlation.Messaging.MassTransit.Filters;

/// <summary>
/// The pipe specification behind <c>UseCorrelationPropagation</c>: adds one filter per direction (send, publish, receive,
/// consume) and validates the configuration when MassTransit builds the bus.
/// </summary>
internal sealed class CorrelationPipeSpecification(CorrelationPropagator propagator, TransportCorrelation transport) :
    IPipeSpecification<SendContext>,
    IPipeSpecification<PublishContext>,
    IPipeSpecification<ReceiveContext>,
    IPipeSpecification<ConsumeContext>
{
    /// <summary>The header prefix MassTransit reserves for its own headers (<c>MT-Fault-Message</c> and so on).</summary>
    private const string MassTransitHeaderPrefix = "MT-";

    public CorrelationPropagator Propagator => propagator;

    public void Apply(IPipeBuilder<SendContext> builder) => builder.AddFilter(new CorrelationSendFilter(propagator, transport));

    public void Apply(IPipeBuilder<PublishContext> builder) => builder.AddFilter(new CorrelationPublishFilter(propagator, transport));

    public void Apply(IPipeBuilder<ReceiveContext> builder) => builder.AddFilter(new CorrelationReceiveFilter(propagator, transport));

    public void Apply(IPipeBuilder<ConsumeContext> builder) => builder.AddFilter(new CorrelationConsumeFilter(propagator, transport));

    public IEnumerable<ValidationResult> Validate()
    {
        if (IsReserved(propagator.HeaderName))
        {
            yield return this.Failure(nameof(CorrelationOptions.HeaderName), ReservedMessage(propagator.HeaderName));
        }

        if (IsReserved(propagator.CausationHeaderName))
        {
            yield return this.Failure(nameof(CorrelationOptions.CausationHeaderName), ReservedMessage(propagator.CausationHeaderName));
        }

        if (string.Equals(propagator.HeaderName, propagator.CausationHeaderName, StringComparison.OrdinalIgnoreCase))
        {
            yield return this.Failure(
                nameof(CorrelationOptions.CausationHeaderName),
                "must differ from HeaderName: the causation ID would overwrite the correlation ID");
        }
    }

    private static bool IsReserved(string name) => name.StartsWith(MassTransitHeaderPrefix, StringComparison.OrdinalIgnoreCase);

    private static string ReservedMessage(string name) => $"'{name}' uses the MT- prefix that MassTransit reserves for its own headers";
}
