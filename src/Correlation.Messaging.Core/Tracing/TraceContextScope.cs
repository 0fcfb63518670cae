namespace Correlation.Messaging.Tracing;

/// <summary>
/// Keeps an inbound W3C trace context ambient until disposed, so that outgoing messages forward it when there is no
/// recorded <see cref="System.Diagnostics.Activity"/>.
/// </summary>
/// <remarks>Dispose scopes in the reverse order of their creation. Disposing restores the previous inbound trace context exactly.</remarks>
internal readonly struct TraceContextScope : IDisposable
{
    private readonly InboundTraceContext? _previous;
    private readonly bool _active;

    internal TraceContextScope(InboundTraceContext? previous)
    {
        _previous = previous;
        _active = true;
    }

    /// <summary>Restores the previous ambient inbound trace context.</summary>
    public void Dispose()
    {
        if (_active)
        {
            InboundTraceContext.Current = _previous;
        }
    }
}
