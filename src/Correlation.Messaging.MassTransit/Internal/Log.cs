using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.MassTransit.Internal;

/// <summary>The package's log events (EventIds 500-599). Values are IDs that passed validation, or sanitized.</summary>
internal static partial class Log
{
    [LoggerMessage(500, LogLevel.Error, "The receive pipeline of {InputAddress} faulted for message {MessageId}; MassTransit logs it as T-FAULT, outside the correlation scope.", EventName = "ReceivePipelineFaulted")]
    public static partial void ReceivePipelineFaulted(ILogger logger, Exception exception, Uri inputAddress, string? messageId);
}
