using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.SQS;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Sqs.Pipeline.Internal;

/// <summary>
/// What the pipeline handler needs for one client: the propagator, and the client's queue size limits. Clients are
/// bound by their <see cref="IClientConfig"/> instance (the SDK hands it to every request), so the handler that the
/// process-wide customizer adds to every SQS client acts only on the clients bound here.
/// </summary>
internal sealed class SqsClientBinding
{
    private static readonly ConditionalWeakTable<IClientConfig, SqsClientBinding> Bindings = new();

    public SqsClientBinding(CorrelationPropagator propagator, IAmazonSQS? client)
    {
        Propagator = propagator;
        Limits = new QueueSizeLimits(client, propagator.Logger);
    }

    public CorrelationPropagator Propagator { get; }

    public QueueSizeLimits Limits { get; }

    public static void Bind(IClientConfig config, SqsClientBinding binding) => Bindings.AddOrUpdate(config, binding);

    public static SqsClientBinding? Find(IClientConfig? config) =>
        config is not null && Bindings.TryGetValue(config, out var binding) ? binding : null;
}
