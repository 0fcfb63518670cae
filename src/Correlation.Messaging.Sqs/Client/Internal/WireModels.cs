namespace Correlation.Messaging.Sqs.Client.Internal;

// Request and response shapes of the operations whose public API takes plain arguments.
// Property names are the SQS JSON protocol member names.
#pragma warning disable CA2227, SA1402 // Wire models: settable collections, several small types in one file.
internal sealed class QueueUrlRequest
{
    public string? QueueUrl { get; set; }
}

internal sealed class DeleteMessageWireRequest
{
    public string? QueueUrl { get; set; }

    public string? ReceiptHandle { get; set; }
}

internal sealed class DeleteMessageBatchWireRequest
{
    public string? QueueUrl { get; set; }

    public List<DeleteMessageBatchRequestEntry> Entries { get; set; } = [];
}

internal sealed class ChangeMessageVisibilityWireRequest
{
    public string? QueueUrl { get; set; }

    public string? ReceiptHandle { get; set; }

    public int VisibilityTimeout { get; set; }
}

internal sealed class GetQueueUrlWireRequest
{
    public string? QueueName { get; set; }
}

internal sealed class CreateQueueWireRequest
{
    public string? QueueName { get; set; }

    public Dictionary<string, string>? Attributes { get; set; }
}

internal sealed class QueueUrlResponse
{
    public string? QueueUrl { get; set; }
}

internal sealed class GetQueueAttributesWireRequest
{
    public string? QueueUrl { get; set; }

    public List<string> AttributeNames { get; set; } = [];
}

internal sealed class QueueAttributesWireModel
{
    public string? QueueUrl { get; set; }

    public Dictionary<string, string>? Attributes { get; set; }
}

internal sealed class EmptyResponse
{
}

internal sealed class ErrorResponse
{
    [System.Text.Json.Serialization.JsonPropertyName("__type")]
    public string? Type { get; set; }

    public string? Message { get; set; }

    [System.Text.Json.Serialization.JsonPropertyName("message")]
    public string? MessageLower { get; set; }
}
#pragma warning restore CA2227, SA1402
