namespace Correlation.Messaging;

/// <summary>
/// The built-in formats for generated correlation IDs.
/// </summary>
public enum CorrelationIdFormat
{
    /// <summary>A random UUID (version 4), 36 characters such as <c>3f2b8c1e-…</c>. Unguessable. This is the default.</summary>
    UuidV4 = 0,

    /// <summary>A time-ordered UUID (version 7, <see cref="Guid.CreateVersion7()"/>), 36 characters.</summary>
    UuidV7 = 1,

    /// <summary>A ULID: 26 characters of Crockford base32, lexicographically sortable by creation time.</summary>
    Ulid = 2,

    /// <summary>The W3C trace ID (32 lowercase hex characters) of <see cref="System.Diagnostics.Activity.Current"/>, or a random one when there is none.</summary>
    W3CTraceId = 3,
}
