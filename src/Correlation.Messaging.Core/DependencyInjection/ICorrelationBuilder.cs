namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Returned by <c>AddCorrelation</c>; broker and HTTP packages add their registrations through it.
/// </summary>
public interface ICorrelationBuilder
{
    /// <summary>Gets the service collection.</summary>
    IServiceCollection Services { get; }
}
