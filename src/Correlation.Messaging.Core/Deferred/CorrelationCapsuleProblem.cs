namespace Correlation.Messaging;

/// <summary>
/// Why a stored <see cref="CorrelationCapsule"/> could not be read as it was stored.
/// </summary>
/// <remarks>
/// Problems with the IDs inside a well-formed capsule (too long, disallowed or unsafe characters) are
/// <see cref="CorrelationIdProblem"/> values and get the configured <see cref="InvalidCorrelationIdPolicy"/>, as any
/// inbound ID does.
/// </remarks>
public enum CorrelationCapsuleProblem
{
    /// <summary>The capsule is well formed.</summary>
    None = 0,

    /// <summary>The text is longer than <see cref="CorrelationCapsule.MaxTextLength"/>; it is not parsed at all.</summary>
    TooLong = 1,

    /// <summary>The text does not start with a version tag (<c>v</c> followed by digits and <c>;</c>).</summary>
    Malformed = 2,

    /// <summary>The version tag is not one this library reads (only <c>v1</c> is).</summary>
    UnsupportedVersion = 3,

    /// <summary>The text has fewer or more fields than its version defines, or an empty correlation ID.</summary>
    Truncated = 4,

    /// <summary>A field holds a <c>%</c> that does not start a valid <c>%25</c> or <c>%3B</c> escape.</summary>
    BadEscape = 5,
}
