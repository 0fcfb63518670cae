namespace Correlation.Messaging.Generation;

/// <summary>
/// Generates new correlation IDs.
/// </summary>
/// <remarks>
/// Implementations must be thread-safe and return IDs that pass the configured validation (by default ASCII letters,
/// digits and <c>-_.:</c>, at most 128 characters). Built-in generators are on <see cref="CorrelationIdGenerators"/>.
/// </remarks>
public interface ICorrelationIdGenerator
{
    /// <summary>Returns a new correlation ID.</summary>
    /// <returns>A new, non-empty correlation ID.</returns>
    string NewId();
}
