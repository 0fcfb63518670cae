namespace Correlation.Messaging.AspNetCore.DependencyInjection;

/// <summary>Registered by <c>AddAspNetCore()</c>, so that <c>UseCorrelation()</c> can tell whether it was called.</summary>
internal sealed class CorrelationAspNetCoreMarker
{
    public static readonly CorrelationAspNetCoreMarker Instance = new();
}
