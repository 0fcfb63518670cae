namespace Correlation.Messaging.Internal;

/// <summary>
/// The single <see cref="AsyncLocal{T}"/> behind <see cref="CorrelationContext.Current"/> and the default accessor.
/// </summary>
/// <remarks>
/// <para>
/// It holds the innermost open <see cref="CorrelationFrame"/>: the ambient context, the frame it replaced, and what the
/// scope must close (a logging scope, a trace scope, a consumer span). A task that a handler starts and does not await
/// keeps the frame, and so the correlation ID of the flow that started it, which is what a log reader expects.
/// </para>
/// <para>
/// A frame closes once. Disposing a scope twice, or disposing a copy of a scope that was already disposed, does nothing,
/// so it can never restore an old context over a newer scope. Disposing an outer scope while inner ones leaked (were
/// never disposed) closes the leaked ones first, innermost first.
/// </para>
/// </remarks>
internal static class AmbientCorrelation
{
    private static readonly AsyncLocal<CorrelationFrame?> Local = new();

    /// <summary>Gets the ambient context; setting it (the accessor's setter) replaces it without a scope to close.</summary>
    public static CorrelationContext? Current
    {
        get => Local.Value?.Context;
        set => Local.Value = value is null ? null : new CorrelationFrame(value, Local.Value, resource: null);
    }

    /// <summary>Makes <paramref name="context"/> ambient in a new frame that closes <paramref name="resource"/>.</summary>
    public static CorrelationFrame Push(CorrelationContext context, IDisposable? resource)
    {
        var frame = new CorrelationFrame(context, Local.Value, resource);
        Local.Value = frame;
        return frame;
    }

    /// <summary>
    /// Closes <paramref name="frame"/> (and, when it is on the current chain, every leaked frame inside it) and makes the
    /// nearest open frame outside it ambient. A frame that is already closed is left alone.
    /// </summary>
    public static void Pop(CorrelationFrame frame)
    {
        if (frame.IsClosed)
        {
            return;
        }

        var current = Local.Value;
        if (!IsOnChain(current, frame))
        {
            // Disposed on a flow that never saw it (its ambient value is another flow's business): close, restore nothing.
            frame.Close();
            return;
        }

        Local.Value = NearestOpen(frame.Parent);
        for (var leaked = current; leaked is not null && leaked != frame; leaked = leaked.Parent)
        {
            leaked.Close();
        }

        frame.Close();
    }

    /// <summary>
    /// Closes every frame of the current flow (logging scopes, trace scopes and spans included), innermost first, and
    /// clears the ambient context. Returns the context that was ambient, or <see langword="null"/> when none was.
    /// </summary>
    public static CorrelationContext? CloseAll()
    {
        var current = Local.Value;
        if (current is null)
        {
            return null;
        }

        Local.Value = null;
        for (var frame = current; frame is not null; frame = frame.Parent)
        {
            frame.Close();
        }

        return current.Context;
    }

    private static bool IsOnChain(CorrelationFrame? current, CorrelationFrame frame)
    {
        for (var f = current; f is not null; f = f.Parent)
        {
            if (f == frame)
            {
                return true;
            }
        }

        return false;
    }

    private static CorrelationFrame? NearestOpen(CorrelationFrame? frame)
    {
        while (frame is { IsClosed: true })
        {
            frame = frame.Parent;
        }

        return frame;
    }
}

/// <summary>One open <see cref="CorrelationScope"/>: its context, the frame it replaced, and what it closes.</summary>
internal sealed class CorrelationFrame(CorrelationContext context, CorrelationFrame? parent, IDisposable? resource)
{
    private int _closed;

    public CorrelationContext Context { get; } = context;

    public CorrelationFrame? Parent { get; } = parent;

    /// <summary>Gets what the frame closes (a logging scope, or the adapters' consume scope).</summary>
    public IDisposable? Resource { get; } = resource;

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Closes the frame's resource once; later calls do nothing.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            Resource?.Dispose();
        }
    }
}
