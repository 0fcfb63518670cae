namespace Correlation.Messaging.Internal;

/// <summary>
/// The single <see cref="AsyncLocal{T}"/> behind <see cref="CorrelationContext.Current"/> and the default accessor.
/// </summary>
/// <remarks>
/// The context is immutable, so it is stored directly rather than in a mutable holder: a task that a handler starts
/// and does not await keeps the correlation ID of the flow that started it, which is what a log reader expects.
/// Scopes restore the previous value on dispose, so nothing leaks into the next unit of work.
/// </remarks>
internal static class AmbientCorrelation
{
    private static readonly AsyncLocal<CorrelationContext?> Local = new();

    public static CorrelationContext? Current
    {
        get => Local.Value;
        set => Local.Value = value;
    }
}
