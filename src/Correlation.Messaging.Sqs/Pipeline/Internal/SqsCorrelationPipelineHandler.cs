using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.SQS.Model;
using Correlation.Messaging.Diagnostics;
using Correlation.Messaging.Sqs.Internal;
using Correlation.Messaging.Sqs.Propagation;
using Correlation.Messaging.Sqs.Propagation.Internal;

namespace Correlation.Messaging.Sqs.Pipeline.Internal;

/// <summary>
/// The AWS SDK runtime pipeline handler, placed before the SDK's <see cref="Marshaller"/> (so it runs once per call,
/// outside the retry loop, and the SDK's MD5 checks see what was sent): it adds the correlation attributes to every
/// <c>SendMessage</c> and <c>SendMessageBatch</c> entry and our attribute names to every <c>ReceiveMessage</c>.
/// </summary>
/// <remarks>
/// <para>The caller's request objects are never visibly changed: the handler swaps in a copy of each attribute
/// dictionary (or name list) for the call, and puts the caller's own back when the call returns or throws.</para>
/// <para>The handler either has a fixed binding (a subclass added it with <see cref="SqsCorrelation.AddTo"/>), or
/// looks up the binding of the calling client's <see cref="IClientConfig"/>; a client that is not bound passes through
/// untouched. Nothing in the handler makes a call fail: an unexpected error is logged, and the request is sent as the
/// caller built it.</para>
/// </remarks>
internal sealed class SqsCorrelationPipelineHandler(SqsClientBinding? binding) : PipelineHandler
{
    /// <summary>The most bytes our fields can add to one message (all four fields packed, at the longest allowed IDs), for the no-lookup shortcut.</summary>
    private const int MaxOwnOverhead = 1024 - 256;

    /// <summary>Adds the handler before the marshaller, unless the pipeline already has one.</summary>
    public static void AddTo(RuntimePipeline pipeline, SqsClientBinding? binding)
    {
        foreach (var existing in pipeline.EnumerateHandlers())
        {
            if (existing is SqsCorrelationPipelineHandler)
            {
                return;
            }
        }

        var handler = new SqsCorrelationPipelineHandler(binding);
        var hasMarshaller = false;
        foreach (var existing in pipeline.EnumerateHandlers())
        {
            hasMarshaller |= existing is Marshaller;
        }

        if (hasMarshaller)
        {
            pipeline.AddHandlerBefore<Marshaller>(handler);
        }
        else
        {
            pipeline.AddHandler(handler);
        }
    }

    /// <inheritdoc />
    public override void InvokeSync(IExecutionContext executionContext)
    {
        var request = executionContext.RequestContext.OriginalRequest;
        var active = request is SendMessageRequest or SendMessageBatchRequest or ReceiveMessageRequest
            ? binding ?? SqsClientBinding.Find(executionContext.RequestContext.ClientConfig)
            : null;
        if (active is null)
        {
            base.InvokeSync(executionContext);
            return;
        }

        var queueUrl = QueueUrlOf(request);
        var restore = Prepare(active, request, active.Limits.GetCachedOrDefault(queueUrl));
        try
        {
            base.InvokeSync(executionContext);
        }
        finally
        {
            restore.Undo(request);
        }
    }

    /// <inheritdoc />
    public override Task<T> InvokeAsync<T>(IExecutionContext executionContext)
    {
        var request = executionContext.RequestContext.OriginalRequest;
        if (request is not (SendMessageRequest or SendMessageBatchRequest or ReceiveMessageRequest))
        {
            return base.InvokeAsync<T>(executionContext);
        }

        var active = binding ?? SqsClientBinding.Find(executionContext.RequestContext.ClientConfig);
        return active is null ? base.InvokeAsync<T>(executionContext) : InvokeCorrelatedAsync<T>(executionContext, request, active);
    }

    private static string? QueueUrlOf(AmazonWebServiceRequest request) => request switch
    {
        SendMessageRequest send => send.QueueUrl,
        SendMessageBatchRequest batch => batch.QueueUrl,
        _ => null,
    };

    private static bool NeedsLimit(AmazonWebServiceRequest request)
    {
        switch (request)
        {
            case SendMessageRequest send:
                return OutboundAttributes.MessageSizeUpperBound(send.MessageBody, send.MessageAttributes) + MaxOwnOverhead > QueueSizeLimits.SmallestLimit;
            case SendMessageBatchRequest { Entries: { } entries }:
                foreach (var entry in entries)
                {
                    if (entry is not null && OutboundAttributes.MessageSizeUpperBound(entry.MessageBody, entry.MessageAttributes) + MaxOwnOverhead > QueueSizeLimits.SmallestLimit)
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    private static Restore Prepare(SqsClientBinding binding, AmazonWebServiceRequest request, int maxMessageSize, CorrelationContext? context = null)
    {
        try
        {
            switch (request)
            {
                case ReceiveMessageRequest receive:
                    var names = ReceiveNames.Merge(receive.MessageAttributeNames, SqsCorrelationAttributes.GetAttributeNamesToReceive(binding.Propagator));
                    if (names is null)
                    {
                        return default;
                    }

                    var requested = receive.MessageAttributeNames;
                    receive.MessageAttributeNames = names;
                    return new Restore(true, requested, null, null);

                case SendMessageRequest send:
                    var original = send.MessageAttributes;
                    send.MessageAttributes = OutgoingMessages.Single(binding.Propagator, send.MessageBody, original, maxMessageSize, context);
                    return new Restore(true, null, original, null);

                case SendMessageBatchRequest batch when batch.Entries is { Count: > 0 }:
                    return new Restore(true, null, null, OutgoingMessages.Apply(binding.Propagator, batch.Entries, maxMessageSize));

                default:
                    return default;
            }
        }
        catch (Exception ex)
        {
            Log.PipelineHandlerFailed(binding.Propagator.Logger, ex, request.GetType().Name);
            return default;
        }
    }

    private async Task<T> InvokeCorrelatedAsync<T>(IExecutionContext executionContext, AmazonWebServiceRequest request, SqsClientBinding active)
        where T : AmazonWebServiceResponse, new()
    {
        var traced = request is not ReceiveMessageRequest && active.Propagator.Options.PropagateTraceContext && SqsTelemetry.Source.HasListeners();
        using var activity = traced ? SqsTelemetry.StartSend(QueueUrlOf(request)) : null;

        var maxMessageSize = QueueSizeLimits.SmallestLimit;
        if (request is not ReceiveMessageRequest && NeedsLimit(request))
        {
            maxMessageSize = await active.Limits.GetAsync(QueueUrlOf(request), CancellationToken.None).ConfigureAwait(false);
        }

        // Only while a flow recorder listens: the context is chosen here once, so the reported hop is the one sent.
        var reported = FlowDiagnostics.IsEnabled && request is SendMessageRequest single
            ? OutboundAttributes.ContextFor(active.Propagator, SqsAttributeNames.For(active.Propagator), single.MessageAttributes)
            : null;
        var restore = Prepare(active, request, maxMessageSize, reported);
        try
        {
            var response = await base.InvokeAsync<T>(executionContext).ConfigureAwait(false);
            if (reported is not null && response is SendMessageResponse sent)
            {
                var queue = SqsTelemetry.QueueName(QueueUrlOf(request));
                FlowDiagnostics.Sent(FlowHopKind.Send, "aws_sqs", queue, queue, sent.MessageId, reported);
            }

            return response;
        }
        finally
        {
            restore.Undo(request);
        }
    }

    /// <summary>What to put back on the caller's request after the call.</summary>
    private readonly record struct Restore(
        bool Changed,
        List<string>? ReceiveNames,
        Dictionary<string, MessageAttributeValue>? SendAttributes,
        Dictionary<string, MessageAttributeValue>?[]? BatchAttributes)
    {
        public void Undo(AmazonWebServiceRequest request)
        {
            if (!Changed)
            {
                return;
            }

            switch (request)
            {
                case ReceiveMessageRequest receive:
                    receive.MessageAttributeNames = ReceiveNames;
                    break;
                case SendMessageRequest send:
                    send.MessageAttributes = SendAttributes;
                    break;
                case SendMessageBatchRequest batch when BatchAttributes is not null:
                    for (var i = 0; i < BatchAttributes.Length && i < batch.Entries.Count; i++)
                    {
                        if (batch.Entries[i] is { } entry)
                        {
                            entry.MessageAttributes = BatchAttributes[i];
                        }
                    }

                    break;
            }
        }
    }
}
