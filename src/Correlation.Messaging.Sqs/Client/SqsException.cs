using System.Net;

namespace Correlation.Messaging.Sqs.Client;

/// <summary>
/// The exception thrown when SQS returns an error, carrying the AWS error code and request ID.
/// </summary>
public sealed class SqsException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="SqsException"/> class.</summary>
    public SqsException()
        : this("SQS returned an error.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SqsException"/> class.</summary>
    /// <param name="message">The message that describes the error.</param>
    public SqsException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SqsException"/> class.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public SqsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SqsException"/> class.</summary>
    /// <param name="message">The error message returned by SQS.</param>
    /// <param name="errorCode">The AWS error code, for example <c>QueueDoesNotExist</c>.</param>
    /// <param name="requestId">The AWS request ID, or <see langword="null"/>.</param>
    /// <param name="statusCode">The HTTP status code.</param>
    /// <param name="queryErrorCode">The legacy Query-protocol error code (<c>x-amzn-query-error</c>), or <see langword="null"/>.</param>
    public SqsException(string message, string errorCode, string? requestId, HttpStatusCode statusCode, string? queryErrorCode = null)
        : base(FormatMessage(message, errorCode, requestId, statusCode))
    {
        ErrorCode = errorCode;
        RequestId = requestId;
        StatusCode = statusCode;
        QueryErrorCode = queryErrorCode;
    }

    /// <summary>Gets the AWS error code, for example <c>QueueDoesNotExist</c>, <c>InvalidParameterValue</c> or <c>RequestThrottled</c>.</summary>
    public string? ErrorCode { get; }

    /// <summary>Gets the AWS request ID (<c>x-amzn-RequestId</c>), for support cases and log correlation.</summary>
    public string? RequestId { get; }

    /// <summary>Gets the HTTP status code.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Gets the legacy Query-protocol error code, for example <c>AWS.SimpleQueueService.NonExistentQueue</c>, if SQS sent one.</summary>
    public string? QueryErrorCode { get; }

    private static string FormatMessage(string message, string errorCode, string? requestId, HttpStatusCode statusCode) =>
        $"SQS error {errorCode} (HTTP {(int)statusCode}, request ID {requestId ?? "unknown"}): {message}";
}
