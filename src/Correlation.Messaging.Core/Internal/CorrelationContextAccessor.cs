namespace Correlation.Messaging.Internal;

internal sealed class CorrelationContextAccessor : ICorrelationContextAccessor
{
    public static readonly CorrelationContextAccessor Instance = new();

    public CorrelationContext? Current
    {
        get => AmbientCorrelation.Current;
        set => AmbientCorrelation.Current = value;
    }
}
