using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.TestSupport;

/// <summary>One captured log event with the scope fields that were active when it was written.</summary>
public sealed record CapturedLog(
    string Category,
    LogLevel Level,
    EventId EventId,
    string Message,
    Exception? Exception,
    IReadOnlyDictionary<string, object?> ScopeFields,
    IReadOnlyList<object?> Scopes)
{
    public string? CorrelationId => ScopeFields.TryGetValue("correlation_id", out var v) ? v as string : null;

    public string? Field(string name) => ScopeFields.TryGetValue(name, out var v) ? v?.ToString() : null;
}

/// <summary>A logger provider that records every event with its scopes, for assertions.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedLog> _logs = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<CapturedLog> Logs => [.. _logs];

    public IEnumerable<CapturedLog> WithEventName(string name) => Logs.Where(l => l.EventId.Name == name);

    public void Clear() => _logs.Clear();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
            var scopes = new List<object?>();
            owner._scopes.ForEachScope(
                (scope, acc) =>
                {
                    acc.scopes.Add(scope);
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var (key, value) in pairs)
                        {
                            acc.fields[key] = value;
                        }
                    }
                },
                (fields, scopes));
            owner._logs.Enqueue(new CapturedLog(category, logLevel, eventId, formatter(state, exception), exception, fields, scopes));
        }
    }
}
