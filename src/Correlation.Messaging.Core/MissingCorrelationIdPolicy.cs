namespace Correlation.Messaging;

/// <summary>
/// What happens when an inbound message or request carries no correlation ID.
/// </summary>
public enum MissingCorrelationIdPolicy
{
    /// <summary>Generate a new ID (source <see cref="CorrelationIdSource.Generated"/>). This is the default.</summary>
    Generate = 0,

    /// <summary>Throw <see cref="CorrelationIdRejectedException"/>, which broker adapters route to their failure path.</summary>
    Reject = 1,
}
