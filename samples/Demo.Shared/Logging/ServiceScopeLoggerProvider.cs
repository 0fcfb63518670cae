using Microsoft.Extensions.Logging;

namespace Demo.Shared.Logging;

/// <summary>
/// Wraps a logger provider that supports external scopes (the console provider) so that every scope enumeration
/// starts with a fixed <c>service</c> scope.
/// </summary>
[ProviderAlias("Console")]
internal sealed class ServiceScopeLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ILoggerProvider _inner;
    private readonly ServiceScope _scope;

    public ServiceScopeLoggerProvider(ILoggerProvider inner, string service)
    {
        _inner = inner;
        _scope = new ServiceScope(service);
    }

    public ILogger CreateLogger(string categoryName) => _inner.CreateLogger(categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) =>
        (_inner as ISupportExternalScope)?.SetScopeProvider(new RootScopeProvider(scopeProvider, _scope));

    public void Dispose() => _inner.Dispose();

    private sealed class RootScopeProvider(IExternalScopeProvider inner, object root) : IExternalScopeProvider
    {
        public void ForEachScope<TState>(Action<object?, TState> callback, TState state)
        {
            callback(root, state);
            inner.ForEachScope(callback, state);
        }

        public IDisposable Push(object? state) => inner.Push(state);
    }

    /// <summary>One cached key/value scope: <c>service</c>.</summary>
    private sealed class ServiceScope(string service) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly KeyValuePair<string, object?> _pair = new("service", service);
        private readonly string _text = "service:" + service;

        public int Count => 1;

        public KeyValuePair<string, object?> this[int index] =>
            index == 0 ? _pair : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return _pair;
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => _text;
    }
}
