using System.Text.Json.Serialization;

namespace Correlation.Messaging.Sqs.Client.Internal;

/// <summary>Source-generated (reflection-free, trimming-safe) JSON for every request and response of the client.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(SendMessageRequest))]
[JsonSerializable(typeof(SendMessageResponse))]
[JsonSerializable(typeof(SendMessageBatchRequest))]
[JsonSerializable(typeof(SendMessageBatchResponse))]
[JsonSerializable(typeof(ReceiveMessageRequest))]
[JsonSerializable(typeof(ReceiveMessageResponse))]
[JsonSerializable(typeof(DeleteMessageWireRequest))]
[JsonSerializable(typeof(DeleteMessageBatchWireRequest))]
[JsonSerializable(typeof(DeleteMessageBatchResponse))]
[JsonSerializable(typeof(ChangeMessageVisibilityWireRequest))]
[JsonSerializable(typeof(GetQueueUrlWireRequest))]
[JsonSerializable(typeof(CreateQueueWireRequest))]
[JsonSerializable(typeof(QueueUrlResponse))]
[JsonSerializable(typeof(GetQueueAttributesWireRequest))]
[JsonSerializable(typeof(QueueAttributesWireModel))]
[JsonSerializable(typeof(EmptyResponse))]
[JsonSerializable(typeof(ErrorResponse))]
internal sealed partial class SqsJsonContext : JsonSerializerContext
{
}
