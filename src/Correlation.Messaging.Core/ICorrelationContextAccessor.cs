namespace Correlation.Messaging;

/// <summary>
/// Provides access to the ambient <see cref="CorrelationContext"/> of the current asynchronous flow.
/// </summary>
/// <remarks>The default implementation reads and writes the same ambient value as <see cref="CorrelationContext.Current"/>.</remarks>
public interface ICorrelationContextAccessor
{
    /// <summary>Gets or sets the ambient correlation context, or <see langword="null"/> when there is none.</summary>
    /// <value>The ambient context. Prefer scopes (<see cref="CorrelationContext.BeginScope(CorrelationContext)"/>) over setting this directly.</value>
    CorrelationContext? Current { get; set; }
}
