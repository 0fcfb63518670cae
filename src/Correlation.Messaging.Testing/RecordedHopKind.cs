namespace Correlation.Messaging.Testing;

/// <summary>What a <see cref="RecordedHop"/> is.</summary>
public enum RecordedHopKind
{
    /// <summary>A message sent to a queue or topic.</summary>
    Send,

    /// <summary>A message published (to subscribers, an exchange or a Kafka topic).</summary>
    Publish,

    /// <summary>A message consumed and handled.</summary>
    Consume,

    /// <summary>An HTTP request received and processed.</summary>
    HttpIn,

    /// <summary>An HTTP request made.</summary>
    HttpOut,
}
