using Correlation.Messaging.Internal;

namespace Correlation.Messaging;

/// <summary>
/// Keeps a <see cref="CorrelationContext"/> ambient (and, when opened by a propagator, a logging scope open) until disposed.
/// </summary>
/// <remarks>
/// <para>Dispose scopes in the reverse order of their creation, normally with a <see langword="using"/> statement.
/// Disposing restores the context that was ambient when the scope began.</para>
/// <para>Disposing is idempotent and shared by copies of the struct: a second dispose, or the dispose of a copy, does
/// nothing, so it never restores an old context over a newer scope. Disposing a scope while scopes opened inside it are
/// still open (leaked) closes those first, logging scopes and spans included.</para>
/// </remarks>
public readonly struct CorrelationScope : IDisposable
{
    private readonly CorrelationFrame? _frame;

    private CorrelationScope(CorrelationFrame frame) => _frame = frame;

    /// <summary>Gets the context this scope made ambient, or <see langword="null"/> for a default scope.</summary>
    public CorrelationContext? Context => _frame?.Context;

    /// <summary>Restores the previous ambient context and closes the logging scope, if any. Later calls do nothing.</summary>
    public void Dispose()
    {
        if (_frame is not null)
        {
            AmbientCorrelation.Pop(_frame);
        }
    }

    /// <summary>Gets the frame this scope closes, for the flow diagnostics (<see cref="Diagnostics.FlowDiagnostics.Faulted"/>).</summary>
    internal CorrelationFrame? Frame => _frame;

    internal static CorrelationScope Enter(CorrelationContext context, IDisposable? logScope) =>
        new(AmbientCorrelation.Push(context, logScope));
}
