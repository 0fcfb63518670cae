namespace Correlation.Messaging.Contracts;

/// <summary>
/// A contract harness that can also send downstream through the library's producer a message that already carries
/// headers: what an outbox relay or a scheduler does.
/// </summary>
public interface IRelayContractHarness : IBrokerContractHarness
{
    /// <summary>
    /// Sends <paramref name="body"/> to the downstream queue or topic through the library (never a raw client), from the
    /// caller's flow (no ambient context unless the caller opened one), on a message that already carries <paramref name="headers"/>.
    /// </summary>
    Task SendPreparedAsync(string body, IReadOnlyList<RawHeader> headers, CancellationToken cancellationToken);
}
