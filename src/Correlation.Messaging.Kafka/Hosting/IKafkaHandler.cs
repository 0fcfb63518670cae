using Confluent.Kafka;

namespace Correlation.Messaging.Kafka;

/// <summary>
/// Handles one consumed Kafka record for the hosted consumer registered with <c>AddKafkaConsumer</c>.
/// </summary>
/// <typeparam name="TKey">The type of the message key.</typeparam>
/// <typeparam name="TValue">The type of the message value.</typeparam>
/// <remarks>
/// The handler is resolved from a new dependency-injection scope for every attempt, so scoped services (a
/// <c>DbContext</c>) are fresh on a retry. The record's correlation context is ambient and its logging scope open
/// while <see cref="HandleAsync"/> runs: every log line and every message produced in it carries the record's ID.
/// </remarks>
public interface IKafkaHandler<TKey, TValue>
{
    /// <summary>Handles one record; throw to have it retried and, after the last retry, dead-lettered.</summary>
    /// <param name="record">The consumed record.</param>
    /// <param name="cancellationToken">Cancelled when the host stops.</param>
    /// <returns>A task that completes when the record is handled.</returns>
    Task HandleAsync(ConsumeResult<TKey, TValue> record, CancellationToken cancellationToken);
}
