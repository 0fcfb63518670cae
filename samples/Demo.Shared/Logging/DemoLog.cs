using Microsoft.Extensions.Logging;

namespace Demo.Shared.Logging;

/// <summary>Log events every demo service writes; <c>eng/demo.sh</c> waits for <see cref="ServiceReady"/>.</summary>
public static partial class DemoLog
{
    /// <summary>Logs that the service is ready to take work.</summary>
    /// <param name="logger">The logger.</param>
    /// <param name="detail">What the service listens to.</param>
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Service ready: {Detail}")]
    public static partial void ServiceReady(ILogger logger, string detail);
}
