namespace Correlation.Messaging.Sqs.Propagation;

/// <summary>
/// Reads and creates values of one SQS message-attribute type, so that <see cref="SqsCorrelationAttributes"/> works
/// on any SQS client's attribute dictionary: this package's <see cref="Client.MessageAttributeValue"/> today,
/// <c>Amazon.SQS.Model.MessageAttributeValue</c> the day the official SDK is used.
/// </summary>
/// <typeparam name="TValue">The attribute value type.</typeparam>
/// <remarks>Members are static, so no accessor instance or delegate is allocated per message.</remarks>
public interface ISqsAttributeAccessor<TValue>
{
    /// <summary>Creates a <c>String</c> attribute value.</summary>
    /// <param name="value">The text.</param>
    /// <returns>The attribute value.</returns>
    static abstract TValue CreateString(string value);

    /// <summary>Gets the data type (<c>String</c>, <c>Number</c>, <c>Binary</c>, optionally with a <c>.suffix</c>).</summary>
    /// <param name="value">The attribute value.</param>
    /// <returns>The data type, or <see langword="null"/>.</returns>
    static abstract string? GetDataType(TValue value);

    /// <summary>Gets the string value of a <c>String</c> or <c>Number</c> attribute.</summary>
    /// <param name="value">The attribute value.</param>
    /// <returns>The string value, or <see langword="null"/>.</returns>
    static abstract string? GetStringValue(TValue value);

    /// <summary>Gets the size of the value in bytes, as SQS counts it toward the message size (UTF-8 text or binary length).</summary>
    /// <param name="value">The attribute value.</param>
    /// <returns>The size in bytes.</returns>
    static abstract int GetValueSize(TValue value);
}
