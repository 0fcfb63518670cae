using System.Globalization;

namespace Correlation.Messaging.Testing;

/// <summary>
/// One hop of a flow seen by a <see cref="FlowRecorder"/>: a message sent, published or consumed, or an HTTP request
/// received or made, with its IDs, broker, destination, outcome and timestamps.
/// </summary>
/// <remarks>A consume or inbound HTTP hop is recorded when its handling starts; <see cref="Stopped"/>,
/// <see cref="Outcome"/> and <see cref="Exception"/> are set when it ends.</remarks>
public sealed class RecordedHop
{
    private DateTimeOffset? _stopped;
    private Exception? _exception;
    private string? _outcome;

    internal RecordedHop(
        long sequence,
        RecordedHopKind kind,
        string broker,
        string? destination,
        string? name,
        string? messageId,
        string correlationId,
        string? causationId,
        bool generated,
        DateTimeOffset started)
    {
        Sequence = sequence;
        Kind = kind;
        Broker = broker;
        Destination = destination;
        Name = name;
        MessageId = messageId;
        CorrelationId = correlationId;
        CausationId = causationId;
        IdWasGenerated = generated;
        Started = started;
        if (kind is not (RecordedHopKind.Consume or RecordedHopKind.HttpIn))
        {
            _stopped = started;
        }
    }

    /// <summary>Gets the position of the hop in the recording, from 1.</summary>
    public long Sequence { get; }

    /// <summary>Gets what the hop is.</summary>
    public RecordedHopKind Kind { get; }

    /// <summary>Gets the broker: <c>masstransit</c>, <c>kafka</c>, <c>rabbitmq</c>, <c>aws_sqs</c> or <c>http</c>.</summary>
    public string Broker { get; }

    /// <summary>Gets the topic, queue, endpoint or URL, when the adapter knows it.</summary>
    public string? Destination { get; }

    /// <summary>Gets the short name of the hop: the message type (MassTransit), the topic or queue, or the HTTP method and path.</summary>
    public string? Name { get; }

    /// <summary>Gets the ID of the message sent or handled (for an inbound request, its request ID), when known.</summary>
    public string? MessageId { get; }

    /// <summary>Gets the correlation ID the hop carried (sent) or ran in (handled).</summary>
    public string CorrelationId { get; }

    /// <summary>Gets the ID of the message that caused this one, or <see langword="null"/> at the edge.</summary>
    public string? CausationId { get; }

    /// <summary>
    /// Gets a value indicating whether the hop's correlation ID was generated or replaced there (nothing valid was ambient
    /// or inbound): the hop started a new flow.
    /// </summary>
    public bool IdWasGenerated { get; }

    /// <summary>Gets when the hop was sent, or when its handling started.</summary>
    public DateTimeOffset Started { get; }

    /// <summary>Gets when the handling ended (equal to <see cref="Started"/> for a send), or <see langword="null"/> while it runs.</summary>
    public DateTimeOffset? Stopped => _stopped;

    /// <summary>Gets a value indicating whether the hop ended (a send always has).</summary>
    public bool IsCompleted => _stopped is not null;

    /// <summary>Gets the exception the handler threw, or <see langword="null"/>.</summary>
    public Exception? Exception => _exception;

    /// <summary>Gets a value indicating whether the handler threw.</summary>
    public bool Faulted => _exception is not null;

    /// <summary>Gets the readable outcome: <c>sent</c>, <c>running</c>, <c>ok</c>, <c>faulted (TypeName)</c>, or an HTTP status code.</summary>
    public string Outcome => Kind switch
    {
        RecordedHopKind.Send or RecordedHopKind.Publish or RecordedHopKind.HttpOut => "sent",
        _ when _stopped is null => "running",
        _ when _exception is not null => "faulted (" + _exception.GetType().Name + ")",
        _ => _outcome ?? "ok",
    };

    /// <summary>Gets how long the handling took, or <see langword="null"/> while it runs.</summary>
    public TimeSpan? Duration => _stopped - Started;

    internal bool IsSent => Kind is RecordedHopKind.Send or RecordedHopKind.Publish;

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"#{Sequence} {Kind} {Name ?? Destination ?? "?"} via {Broker}{(Destination is null ? string.Empty : " " + Destination)} message_id={MessageId ?? "-"} correlation_id={CorrelationId} causation_id={CausationId ?? "-"} {Outcome}");

    internal void Stop(DateTimeOffset stopped, Exception? exception, string? outcome)
    {
        _exception = exception;
        _outcome = outcome;
        _stopped = stopped;
    }
}
