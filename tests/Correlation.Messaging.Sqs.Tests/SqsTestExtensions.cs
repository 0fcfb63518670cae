using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace Correlation.Messaging.Sqs.Tests;

/// <summary>Short forms for building SDK attribute values in tests.</summary>
public static class Attr
{
    public static MessageAttributeValue String(string value) => new() { DataType = "String", StringValue = value };

    public static MessageAttributeValue Binary(byte[] value) => new() { DataType = "Binary", BinaryValue = new MemoryStream(value) };

    public static MessageAttributeValue Number(int value) => new() { DataType = "Number", StringValue = value.ToString(CultureInfo.InvariantCulture) };
}

/// <summary>Queue helpers over the SDK client.</summary>
public static class SqsTestExtensions
{
    public static async Task<string> CreateQueueAsync(this IAmazonSQS client, string name, Dictionary<string, string>? attributes, CancellationToken cancellationToken) =>
        (await client.CreateQueueAsync(new CreateQueueRequest { QueueName = name, Attributes = attributes }, cancellationToken)).QueueUrl;

    public static async Task<Dictionary<string, string>> GetAttributesAsync(this IAmazonSQS client, string queueUrl, List<string> names, CancellationToken cancellationToken) =>
        (await client.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = queueUrl, AttributeNames = names }, cancellationToken)).Attributes ?? [];
}
