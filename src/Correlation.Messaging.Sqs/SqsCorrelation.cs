using Amazon.Runtime.Internal;
using Amazon.SQS;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs.Pipeline.Internal;

namespace Correlation.Messaging.Sqs;

/// <summary>
/// Hooks correlation into the AWS SDK's own SQS client through its runtime pipeline, for code without dependency
/// injection (with it, <c>services.AddCorrelation().AddSqs()</c> does all of this).
/// </summary>
/// <remarks>
/// <para>Two ways, both without a wrapper around <see cref="IAmazonSQS"/>:</para>
/// <list type="bullet">
/// <item>Call <see cref="Register"/> once at start-up, create the <see cref="AmazonSQSClient"/> afterwards, and bind it
/// with <see cref="AmazonSqsCorrelationExtensions.UseCorrelation{TClient}"/>.</item>
/// <item>In a subclass of <see cref="AmazonSQSClient"/>, override <c>CustomizeRuntimePipeline</c> and call
/// <see cref="AddTo"/>: no process-wide registration at all.</item>
/// </list>
/// <para>Scope of <see cref="Register"/>: it adds one pipeline handler to every <see cref="AmazonSQSClient"/> created in
/// the process afterwards (the SDK offers no narrower hook), and that handler acts only for the clients that were bound
/// to a propagator; all others, and every non-SQS client, are untouched.</para>
/// </remarks>
public static class SqsCorrelation
{
    /// <summary>
    /// Registers the correlation handler with the AWS SDK's runtime pipeline customizers, once per process. SQS clients
    /// created afterwards can be bound with <see cref="AmazonSqsCorrelationExtensions.UseCorrelation{TClient}"/>.
    /// </summary>
    public static void Register() => SqsCorrelationPipelineCustomizer.EnsureRegistered();

    /// <summary>
    /// Adds the correlation handler, bound to <paramref name="propagator"/>, to a client's pipeline; for a subclass's
    /// <c>CustomizeRuntimePipeline</c> override.
    /// </summary>
    /// <param name="pipeline">The client's runtime pipeline.</param>
    /// <param name="propagator">The propagator whose names, validation and policies apply.</param>
    /// <param name="client">The client itself, so that each queue's <c>MaximumMessageSize</c> can be read; without it,
    /// <see cref="Propagation.SqsCorrelationAttributes.DefaultMaxMessageSize"/> is assumed.</param>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> or <paramref name="propagator"/> is <see langword="null"/>.</exception>
    public static void AddTo(RuntimePipeline pipeline, CorrelationPropagator propagator, IAmazonSQS? client = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(propagator);
        SqsCorrelationPipelineHandler.AddTo(pipeline, new SqsClientBinding(propagator, client));
    }
}
