using Correlation.Messaging.Generation.Internal;

namespace Correlation.Messaging.Generation;

/// <summary>
/// The built-in correlation ID generators.
/// </summary>
public static class CorrelationIdGenerators
{
    /// <summary>Gets a generator of random UUIDs (version 4) in the 36-character <c>D</c> format.</summary>
    public static ICorrelationIdGenerator UuidV4 { get; } = new UuidV4Generator();

    /// <summary>Gets a generator of time-ordered UUIDs (version 7) in the 36-character <c>D</c> format.</summary>
    public static ICorrelationIdGenerator UuidV7 { get; } = new UuidV7Generator();

    /// <summary>Gets a generator of ULIDs: 26 characters of Crockford base32, sortable by creation time.</summary>
    public static ICorrelationIdGenerator Ulid { get; } = new UlidGenerator();

    /// <summary>
    /// Gets a generator that returns the W3C trace ID of the current <see cref="System.Diagnostics.Activity"/>
    /// (32 lowercase hex characters), or a random trace ID when there is no current W3C activity.
    /// </summary>
    public static ICorrelationIdGenerator W3CTraceId { get; } = new TraceIdGenerator();

    /// <summary>Gets the built-in generator for <paramref name="format"/>.</summary>
    /// <param name="format">The ID format.</param>
    /// <returns>The generator.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined value.</exception>
    public static ICorrelationIdGenerator For(CorrelationIdFormat format) => format switch
    {
        CorrelationIdFormat.UuidV4 => UuidV4,
        CorrelationIdFormat.UuidV7 => UuidV7,
        CorrelationIdFormat.Ulid => Ulid,
        CorrelationIdFormat.W3CTraceId => W3CTraceId,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown correlation ID format."),
    };
}
