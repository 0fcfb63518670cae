using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Testing.Logs;

/// <summary>A log line seen by the provider of <see cref="FlowRecorder.CaptureLogs"/>, with the hop being handled when it was written.</summary>
internal sealed record CapturedLogLine(string Category, LogLevel Level, string Message, string? CorrelationId, RecordedHop? Hop);
