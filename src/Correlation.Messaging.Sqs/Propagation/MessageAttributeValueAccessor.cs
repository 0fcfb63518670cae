using System.Text;
using Correlation.Messaging.Sqs.Client;

namespace Correlation.Messaging.Sqs.Propagation;

/// <summary>The <see cref="ISqsAttributeAccessor{TValue}"/> of this package's <see cref="MessageAttributeValue"/>.</summary>
public sealed class MessageAttributeValueAccessor : ISqsAttributeAccessor<MessageAttributeValue>
{
    private MessageAttributeValueAccessor()
    {
    }

    /// <inheritdoc />
    public static MessageAttributeValue CreateString(string value) => MessageAttributeValue.FromString(value);

    /// <inheritdoc />
    public static string? GetDataType(MessageAttributeValue value) => value?.DataType;

    /// <inheritdoc />
    public static string? GetStringValue(MessageAttributeValue value) => value?.StringValue;

    /// <inheritdoc />
    public static int GetValueSize(MessageAttributeValue value) =>
        value is null ? 0 : value.BinaryValue?.Length ?? (value.StringValue is null ? 0 : Encoding.UTF8.GetByteCount(value.StringValue));
}
