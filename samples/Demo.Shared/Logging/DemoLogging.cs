using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Demo.Shared.Logging;

/// <summary>The demo's logging: JSON lines on stdout, with scopes, UTC timestamps and a <c>service</c> field.</summary>
public static class DemoLogging
{
    /// <summary>
    /// Replaces the logging providers with Microsoft's JSON console formatter (scopes on, UTC millisecond timestamps)
    /// whose every line carries <c>{"service": <paramref name="service"/>}</c> as its first scope; keeps MassTransit at
    /// Information (its retry lines), Microsoft.* and System.Net.Http at Warning.
    /// </summary>
    /// <param name="logging">The logging builder.</param>
    /// <param name="service">The service name written on every line.</param>
    /// <returns>The same builder.</returns>
    public static ILoggingBuilder AddDemoJsonConsole(this ILoggingBuilder logging, string service)
    {
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentException.ThrowIfNullOrWhiteSpace(service);

        logging.ClearProviders();
        logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;                          // correlation_id, causation_id, message_id, service
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });

        // A logging scope opened around host.Run() is AsyncLocal state: it reaches only code whose ExecutionContext
        // flows from Main. Kestrel's connections, and anything started with ExecutionContext flow suppressed, do not
        // see it. So the service is added where scopes are enumerated: the console provider gets a scope provider that
        // yields the service first, then the real scopes. Every line of the process carries it, whatever its thread.
        var existing = logging.Services.Where(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider)).ToList();
        foreach (var descriptor in existing)
        {
            logging.Services.Remove(descriptor);
        }

        logging.Services.AddSingleton<ILoggerProvider>(sp =>
            new ServiceScopeLoggerProvider(ActivatorUtilities.CreateInstance<ConsoleLoggerProvider>(sp), service));

        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("System.Net.Http", LogLevel.Warning);
        logging.AddFilter("MassTransit", LogLevel.Information);
        return logging;
    }
}
