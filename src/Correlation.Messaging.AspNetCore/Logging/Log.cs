using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.AspNetCore.Logging;

/// <summary>
/// The log events of the ASP.NET Core edge, with fixed event IDs in the 400-499 range.
/// </summary>
internal static partial class Log
{
    public const string CategoryName = "Correlation.Messaging.AspNetCore";

    [LoggerMessage(400, LogLevel.Debug, "The request comes from an untrusted source ({RemoteIpAddress}); its correlation headers were not read and {CorrelationId} was generated.", EventName = "UntrustedSource")]
    public static partial void UntrustedSource(ILogger logger, string? remoteIpAddress, string correlationId);

    [LoggerMessage(401, LogLevel.Information, "Responding 400: the request's correlation ID was rejected ({Problem}). The response carries correlation ID {CorrelationId}.", EventName = "RequestRejected")]
    public static partial void RequestRejected(ILogger logger, CorrelationIdProblem problem, string correlationId);

    [LoggerMessage(402, LogLevel.Error, "An unhandled exception was thrown by the application; responding 500.", EventName = "UnhandledException")]
    public static partial void UnhandledException(ILogger logger, Exception exception);

    [LoggerMessage(403, LogLevel.Warning, "The request's correlation ID was trusted by policy but is not ASCII, which HTTP cannot carry back; replaced with {CorrelationId}. Sanitized value: \"{SanitizedValue}\".", EventName = "NonAsciiCorrelationIdReplaced")]
    public static partial void NonAsciiCorrelationIdReplaced(ILogger logger, string correlationId, string sanitizedValue);

    [LoggerMessage(404, LogLevel.Warning, "The ambient correlation ID is not ASCII, which HTTP cannot carry; the outgoing request was sent without {HeaderName}. Sanitized value: \"{SanitizedValue}\".", EventName = "CorrelationIdNotSentOverHttp")]
    public static partial void CorrelationIdNotSentOverHttp(ILogger logger, string headerName, string sanitizedValue);
}
