namespace Correlation.Messaging;

/// <summary>
/// Describes where the correlation ID of a <see cref="CorrelationContext"/> came from.
/// </summary>
public enum CorrelationIdSource
{
    /// <summary>The ID arrived with the inbound message or request and was accepted.</summary>
    Inbound = 0,

    /// <summary>No ID arrived, so a new one was generated.</summary>
    Generated = 1,

    /// <summary>An ID arrived but was invalid, so a new one was generated in its place.</summary>
    Replaced = 2,
}
