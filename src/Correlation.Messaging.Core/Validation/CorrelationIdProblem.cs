namespace Correlation.Messaging;

/// <summary>
/// Why an inbound correlation ID was not accepted as it arrived.
/// </summary>
public enum CorrelationIdProblem
{
    /// <summary>The value is valid.</summary>
    None = 0,

    /// <summary>No value was present.</summary>
    Missing = 1,

    /// <summary>The header was present with a null value.</summary>
    Null = 2,

    /// <summary>The value was empty or whitespace.</summary>
    Empty = 3,

    /// <summary>The value was longer than <see cref="CorrelationOptions.MaxLength"/>.</summary>
    TooLong = 4,

    /// <summary>The value had printable characters outside the allowed set.</summary>
    DisallowedCharacter = 5,

    /// <summary>The value had CR, LF, other control characters, format characters or lone surrogates. Never accepted.</summary>
    UnsafeCharacter = 6,

    /// <summary>The bytes were not valid UTF-8. Never accepted.</summary>
    InvalidUtf8 = 7,

    /// <summary>The header had a wire type that cannot hold a correlation ID (a number, a table, binary data). Never accepted.</summary>
    WrongType = 8,

    /// <summary>The flow metadata header was malformed (see <c>docs/wire-format.md</c>) and the policy is <see cref="InvalidCorrelationIdPolicy.Reject"/>.</summary>
    InvalidFlowMetadata = 9,

    /// <summary>The flow depth was above <see cref="CorrelationOptions.MaxDepth"/> and <see cref="CorrelationOptions.DepthLimitPolicy"/> is <see cref="FlowDepthLimitPolicy.Reject"/>.</summary>
    FlowDepthExceeded = 10,
}
