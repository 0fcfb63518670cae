using Correlation.Messaging.Propagation;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Testing.Logs;

/// <summary>
/// An <see cref="ILoggerProvider"/> that notes, for every log line, the <c>correlation_id</c> of its logging scopes and
/// the hop whose handling the writing code was in, then passes the line on to an inner provider (a <c>FakeLoggerProvider</c>,
/// a console provider, or none).
/// </summary>
internal sealed class FlowLogProvider(Action<CapturedLogLine> capture, Func<RecordedHop?> activeHop, ILoggerProvider? inner)
    : ILoggerProvider, ISupportExternalScope
{
    private readonly Action<CapturedLogLine> _capture = capture;
    private readonly Func<RecordedHop?> _activeHop = activeHop;
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ILogger CreateLogger(string categoryName) => new FlowLogger(this, categoryName, inner?.CreateLogger(categoryName));

    public void SetScopeProvider(IExternalScopeProvider scopeProvider)
    {
        _scopes = scopeProvider;
        (inner as ISupportExternalScope)?.SetScopeProvider(scopeProvider);
    }

    public void Dispose() => inner?.Dispose();

    private string? ScopeCorrelationId()
    {
        var holder = new Holder(null);
        _scopes.ForEachScope(
            static (scope, state) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach (var (key, value) in pairs)
                    {
                        if (key == CorrelationHeaders.CorrelationIdLogField)
                        {
                            state.Id = value?.ToString();
                        }
                    }
                }
            },
            holder);
        return holder.Id;
    }

    private sealed class Holder(string? id)
    {
        public string? Id { get; set; } = id;
    }

    private sealed class FlowLogger(FlowLogProvider owner, string category, ILogger? inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner._capture(new CapturedLogLine(category, logLevel, formatter(state, exception), owner.ScopeCorrelationId(), owner._activeHop()));
            inner?.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
