using Amazon.Runtime.Internal;
using Amazon.SQS;

namespace Correlation.Messaging.Sqs.Pipeline.Internal;

/// <summary>
/// Registered once per process in the SDK's <see cref="RuntimePipelineCustomizerRegistry"/>: adds the (inert until
/// bound) <see cref="SqsCorrelationPipelineHandler"/> to the pipeline of every <see cref="AmazonSQSClient"/> created
/// afterwards. Other services' clients are left alone, and nothing here can make a client's construction fail.
/// </summary>
internal sealed class SqsCorrelationPipelineCustomizer : IRuntimePipelineCustomizer
{
    public const string Name = "Correlation.Messaging.Sqs";

    private static readonly SqsCorrelationPipelineCustomizer Instance = new();
    private static int _registered;

    private SqsCorrelationPipelineCustomizer()
    {
    }

    public static bool IsRegistered => Volatile.Read(ref _registered) == 1;

    public string UniqueName => Name;

    public static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            RuntimePipelineCustomizerRegistry.Instance.Register(Instance);
        }
    }

    public void Customize(Type serviceClientType, RuntimePipeline pipeline)
    {
        if (serviceClientType is null || pipeline is null || !typeof(AmazonSQSClient).IsAssignableFrom(serviceClientType))
        {
            return;
        }

        try
        {
            SqsCorrelationPipelineHandler.AddTo(pipeline, binding: null);
        }
#pragma warning disable CA1031 // A client must never fail to construct because of correlation.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
