using System.Reflection;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.SQS;
using Amazon.SQS.Model;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs.Internal;
using Correlation.Messaging.Sqs.Pipeline.Internal;
using Correlation.Messaging.Sqs.Propagation;

namespace Correlation.Messaging.Sqs;

/// <summary>
/// Correlation for the AWS SDK's <see cref="IAmazonSQS"/> and its received <see cref="Message"/>s.
/// </summary>
public static class AmazonSqsCorrelationExtensions
{
    private static readonly PropertyInfo? PipelineProperty =
        typeof(AmazonServiceClient).GetProperty("RuntimePipeline", BindingFlags.Instance | BindingFlags.NonPublic);

    /// <summary>
    /// Binds an SDK client to <paramref name="propagator"/>: from now on every <c>SendMessage</c> and
    /// <c>SendMessageBatch</c> it sends carries the correlation attributes, and every <c>ReceiveMessage</c> asks for them.
    /// </summary>
    /// <typeparam name="TClient">The client type.</typeparam>
    /// <param name="client">An <see cref="AmazonSQSClient"/> created after <see cref="SqsCorrelation.Register"/>.</param>
    /// <param name="propagator">The propagator whose names, validation and policies apply.</param>
    /// <returns><paramref name="client"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> or <paramref name="propagator"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="client"/> is not an SDK client (a test double, a decorator).</exception>
    /// <exception cref="InvalidOperationException">The client was created before <see cref="SqsCorrelation.Register"/>, so its pipeline has no handler.</exception>
    /// <remarks>The binding is to the client's <see cref="AmazonServiceClient.Config"/>: clients sharing one config object share it.</remarks>
    public static TClient UseCorrelation<TClient>(this TClient client, CorrelationPropagator propagator)
        where TClient : IAmazonSQS
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(propagator);
        if (client is not AmazonServiceClient serviceClient)
        {
            throw new ArgumentException(
                $"Correlation hooks into the AWS SDK's runtime pipeline, which {client.GetType().Name} does not have; use the SDK's AmazonSQSClient.",
                nameof(client));
        }

        SqsCorrelation.Register();
        if (PipelineProperty?.GetValue(serviceClient) is RuntimePipeline pipeline
            && !pipeline.EnumerateHandlers().Any(static h => h is SqsCorrelationPipelineHandler))
        {
            throw new InvalidOperationException(
                "This SQS client was created before correlation was registered, so its pipeline has no correlation handler. "
                + "Call SqsCorrelation.Register() (or services.AddCorrelation().AddSqs()) before the client is created.");
        }

        SqsClientBinding.Bind(serviceClient.Config, new SqsClientBinding(propagator, client));
        return client;
    }

    /// <summary>
    /// Reads the message's correlation metadata and makes it ambient, with a logging scope (and, with
    /// <see cref="CorrelationOptions.PropagateTraceContext"/>, a consumer span), until the returned scope is disposed.
    /// The message's SQS <see cref="Message.MessageId"/> becomes the causation ID of messages sent meanwhile.
    /// </summary>
    /// <param name="message">The received message.</param>
    /// <param name="propagator">The propagator.</param>
    /// <returns>The scope; dispose it when the message is handled.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> or <paramref name="propagator"/> is <see langword="null"/>.</exception>
    /// <exception cref="CorrelationIdRejectedException">The value is invalid or missing and the policy is to reject it.</exception>
    public static CorrelationScope BeginCorrelationScope(this Message message, CorrelationPropagator propagator)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(propagator);
        return SqsCorrelationAttributes.BeginConsumeScope(propagator, message.MessageAttributes, message.MessageId, queueName: null);
    }

    /// <summary>Reads and validates the message's correlation metadata without making it ambient.</summary>
    /// <param name="message">The received message.</param>
    /// <param name="propagator">The propagator.</param>
    /// <returns>The correlation ID to use, with its source.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> or <paramref name="propagator"/> is <see langword="null"/>.</exception>
    /// <exception cref="CorrelationIdRejectedException">The value is invalid or missing and the policy is to reject it.</exception>
    public static ExtractedCorrelation ExtractCorrelation(this Message message, CorrelationPropagator propagator)
    {
        ArgumentNullException.ThrowIfNull(message);
        return SqsCorrelationAttributes.Extract(propagator, message.MessageAttributes);
    }

    internal static string QueueNameOf(string? queueUrl) => SqsTelemetry.QueueName(queueUrl);
}
