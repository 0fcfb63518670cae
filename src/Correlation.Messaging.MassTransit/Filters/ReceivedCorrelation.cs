using System.Runtime.ExceptionServices;

namespace Correlation.Messaging.MassTransit.Filters;

/// <summary>
/// The receive filter's outcome, handed to the consume filter as a <c>ReceiveContext</c> payload so that a message is
/// extracted (and logged) once: the context made ambient, or the rejection to throw inside MassTransit's rescue pipe.
/// </summary>
internal sealed class ReceivedCorrelation
{
    private readonly ExceptionDispatchInfo? _rejection;

    public ReceivedCorrelation(CorrelationContext context) => Context = context;

    public ReceivedCorrelation(CorrelationIdRejectedException rejection) => _rejection = ExceptionDispatchInfo.Capture(rejection);

    /// <summary>Gets the context the receive filter made ambient, or <see langword="null"/> when the ID was rejected.</summary>
    public CorrelationContext? Context { get; }

    /// <summary>Throws the rejection, if any.</summary>
    public void ThrowIfRejected() => _rejection?.Throw();
}
