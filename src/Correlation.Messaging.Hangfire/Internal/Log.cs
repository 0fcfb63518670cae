using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Hangfire.Internal;

/// <summary>Every log event of the Hangfire package, with fixed event IDs.</summary>
internal static partial class Log
{
    public const string CategoryName = "Correlation.Messaging.Hangfire";

    [LoggerMessage(1, LogLevel.Warning, "The correlation parameter of job {JobId} could not be read ({ErrorType}); the job runs under a new correlation ID.", EventName = "HangfireCorrelationParameterUnreadable")]
    public static partial void ParameterUnreadable(ILogger logger, string jobId, string errorType);
}
