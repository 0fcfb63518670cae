using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Correlation.Messaging.Validation;

namespace Correlation.Messaging.Flow.Internal;

/// <summary>
/// The flow metadata of a context: its depth, the service that started the flow, when, and the flow it was started from.
/// The one parser and formatter of the <c>X-Correlation-Flow</c> value (see "Flow metadata" in <c>docs/wire-format.md</c>).
/// </summary>
/// <param name="Depth">The hop number: 0 where the flow is handled first.</param>
/// <param name="Origin">The service that started the flow, or <see langword="null"/> for "this service" (filled in on write).</param>
/// <param name="StartUnixMilliseconds">When the flow started, in Unix milliseconds.</param>
/// <param name="PreviousCorrelationId">The correlation ID of the flow this one was started from, or <see langword="null"/>.</param>
internal readonly record struct FlowMetadata(int Depth, string? Origin, long StartUnixMilliseconds, string? PreviousCorrelationId)
{
    /// <summary>The earliest start time read: 2000-01-01T00:00:00Z.</summary>
    public const long MinStartUnixMilliseconds = 946_684_800_000;

    /// <summary>How far in the future (by the receiver's clock) a start time may be.</summary>
    public const long MaxClockSkewMilliseconds = 24 * 60 * 60 * 1000;

    private const int MaxDepthDigits = 9;

    // The start time's upper bound allows a day of skew, so most values are judged without reading the clock: a start at
    // or before the last time read (plus the skew) is in bounds, since time only moves on. The clock is read (and the
    // last time moved forward) only for a start beyond it, about once a day in a long-running process.
    private static long s_lastKnownNowUnixMilliseconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    private const int MaxStartDigits = 15;

    /// <summary>Gets a value indicating whether this is a real flow (a start time is set), not <see langword="default"/>.</summary>
    public bool IsSet => StartUnixMilliseconds != 0;

    /// <summary>Returns the metadata of a flow that begins now, here.</summary>
    public static FlowMetadata StartingNow(string? origin, string? previousCorrelationId = null) =>
        new(0, origin, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), previousCorrelationId);

    /// <summary>Returns whether <paramref name="start"/> is at most a day after the receiver's clock, reading the clock only when it must.</summary>
    public static bool IsNotTooFarAhead(long start)
    {
        if (start <= Volatile.Read(ref s_lastKnownNowUnixMilliseconds) + MaxClockSkewMilliseconds)
        {
            return true;
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Volatile.Write(ref s_lastKnownNowUnixMilliseconds, now);
        return start <= now + MaxClockSkewMilliseconds;
    }

    /// <summary>Returns the longest value read for IDs of at most <paramref name="maxLength"/> characters.</summary>
    public static int MaxValueLength(int maxLength) => (3 * maxLength) + 40;

    /// <summary>Formats the value a message sent from this flow carries: depth + 1, origin, start, previous.</summary>
    /// <param name="origin">The origin to write (the flow's, or this service's when the flow has none).</param>
    public string FormatOutgoing(string origin)
    {
        var depth = Depth >= int.MaxValue ? int.MaxValue : Depth + 1;
        return PreviousCorrelationId is null
            ? string.Create(CultureInfo.InvariantCulture, $"{depth} {origin} {StartUnixMilliseconds}")
            : string.Create(CultureInfo.InvariantCulture, $"{depth} {origin} {StartUnixMilliseconds} {PreviousCorrelationId}");
    }

    /// <summary>Parses UTF-8 bytes: ASCII only (the ID rules allow nothing else); non-ASCII is invalid UTF-8 or a disallowed character.</summary>
    public static FlowProblem TryParse(ReadOnlySpan<byte> utf8, CorrelationIdValidator validator, OriginCache intern, out FlowMetadata flow)
    {
        flow = default;
        if (utf8.Length > MaxValueLength(validator.MaxLength))
        {
            return FlowProblem.TooLong;
        }

        if (!Ascii.IsValid(utf8))
        {
            return Utf8.IsValid(utf8) ? FlowProblem.Malformed : FlowProblem.InvalidUtf8;
        }

        char[]? rented = null;
        var chars = utf8.Length <= 256 ? stackalloc char[256] : (rented = ArrayPool<char>.Shared.Rent(utf8.Length));
        try
        {
            var written = Encoding.ASCII.GetChars(utf8, chars);
            return TryParse(chars[..written], validator, intern, out flow);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Parses the text form; every rule of the wire format, nothing lenient.</summary>
    /// <param name="text">The header value.</param>
    /// <param name="validator">The ID rules the origin and previous ID must meet (strict: <c>Trust</c> never widens them).</param>
    /// <param name="intern">Turns the origin's characters into a string, reusing a cached one where it can.</param>
    /// <param name="flow">The parsed metadata (depth as on the wire), when valid.</param>
    /// <returns>The problem, or <see cref="FlowProblem.None"/>.</returns>
    public static FlowProblem TryParse(ReadOnlySpan<char> text, CorrelationIdValidator validator, OriginCache intern, out FlowMetadata flow)
    {
        flow = default;
        if (text.IsEmpty)
        {
            return FlowProblem.Empty;
        }

        if (text.Length > MaxValueLength(validator.MaxLength))
        {
            return FlowProblem.TooLong;
        }

        if (!CorrelationIdValidator.IsSafe(text))
        {
            return FlowProblem.UnsafeCharacter;
        }

        // Fields by hand (no Split: it sets up a separator list per call). An empty field (a doubled, leading or trailing
        // space) and a fifth field are malformed.
        var first = text.IndexOf(' ');
        var afterDepth = first <= 0 ? default : text[(first + 1)..];
        var second = afterDepth.IndexOf(' ');
        if (first <= 0 || second <= 0)
        {
            return FlowProblem.Malformed;
        }

        var depthText = text[..first];
        var origin = afterDepth[..second];
        var startText = afterDepth[(second + 1)..];
        var previousText = ReadOnlySpan<char>.Empty;
        var third = startText.IndexOf(' ');
        var hasPrevious = third >= 0;
        if (hasPrevious)
        {
            previousText = startText[(third + 1)..];
            startText = startText[..third];
            if (previousText.IsEmpty || previousText.Contains(' '))
            {
                return FlowProblem.Malformed;
            }
        }

        if (startText.IsEmpty)
        {
            return FlowProblem.Malformed;
        }

        if (!TryParseCanonical(depthText, MaxDepthDigits, out var depth) || depth > int.MaxValue)
        {
            return FlowProblem.Depth;
        }

        if (validator.Validate(origin, trust: false) != CorrelationIdProblem.None)
        {
            return FlowProblem.Origin;
        }

        if (!TryParseCanonical(startText, MaxStartDigits, out var start)
            || start < MinStartUnixMilliseconds
            || !IsNotTooFarAhead(start))
        {
            return FlowProblem.Start;
        }

        string? previous = null;
        if (hasPrevious)
        {
            if (validator.Validate(previousText, trust: false) != CorrelationIdProblem.None)
            {
                return FlowProblem.Previous;
            }

            previous = previousText.ToString();
        }

        flow = new FlowMetadata((int)depth, intern.Get(origin), start, previous);
        return FlowProblem.None;
    }

    private static bool TryParseCanonical(ReadOnlySpan<char> digits, int maxDigits, out long value)
    {
        value = 0;
        if (digits.IsEmpty || digits.Length > maxDigits || (digits.Length > 1 && digits[0] == '0'))
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}

/// <summary>Why an inbound flow header was not used (the <c>problem</c> tag of <c>correlation.flow.invalid</c>).</summary>
internal enum FlowProblem
{
    None = 0,
    Null,
    WrongType,
    InvalidUtf8,
    Empty,
    TooLong,
    UnsafeCharacter,
    Malformed,
    Depth,
    Origin,
    Start,
    Previous,
}

/// <summary>A formatted outgoing flow header, as text and UTF-8 bytes, cached on its context.</summary>
internal sealed class OutgoingFlowValue(string origin, string text)
{
    private byte[]? _utf8;

    public string Origin { get; } = origin;

    public string Text { get; } = text;

    public ReadOnlyMemory<byte> Utf8 => _utf8 ??= Encoding.ASCII.GetBytes(Text);
}
