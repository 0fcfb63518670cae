using Correlation.Messaging.Internal;

namespace Correlation.Messaging;

/// <summary>
/// Keeps a <see cref="CorrelationContext"/> ambient (and, when opened by a propagator, a logging scope open) until disposed.
/// </summary>
/// <remarks>
/// Dispose scopes in the reverse order of their creation, normally with a <see langword="using"/> statement.
/// Disposing restores the context that was ambient when the scope began, exactly.
/// </remarks>
public readonly struct CorrelationScope : IDisposable
{
    private readonly CorrelationContext? _previous;
    private readonly IDisposable? _logScope;
    private readonly bool _active;

    private CorrelationScope(CorrelationContext? previous, IDisposable? logScope)
    {
        _previous = previous;
        _logScope = logScope;
        _active = true;
    }

    /// <summary>Gets the context this scope made ambient, or <see langword="null"/> for a default scope.</summary>
    public CorrelationContext? Context { get; private init; }

    /// <summary>Restores the previous ambient context and closes the logging scope, if any.</summary>
    public void Dispose()
    {
        if (!_active)
        {
            return;
        }

        _logScope?.Dispose();
        AmbientCorrelation.Current = _previous;
    }

    internal static CorrelationScope Enter(CorrelationContext context, IDisposable? logScope)
    {
        var previous = AmbientCorrelation.Current;
        AmbientCorrelation.Current = context;
        return new CorrelationScope(previous, logScope) { Context = context };
    }
}
