using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Correlation.Messaging.Contracts.Oracle;

/// <summary>
/// The flow header as <c>docs/wire-format.md</c> ("Flow metadata") defines it, written from the document alone: a
/// regular expression and the start-time bounds, never the library's parser. Tests judge what a broker carried with it,
/// and send its <see cref="Malformed"/> values from raw clients.
/// </summary>
public static partial class FlowOracle
{
    /// <summary>The default header name.</summary>
    public const string HeaderName = "X-Correlation-Flow";

    /// <summary>2000-01-01T00:00:00Z in Unix milliseconds: the earliest start time the document allows.</summary>
    public const long MinStart = 946_684_800_000;

    /// <summary>
    /// Malformed values, one per kind the document names (at least ten), as bytes a raw client can put in a header.
    /// <c>SqsSafe</c> says whether SQS itself accepts the value as a <c>String</c> attribute (it refuses empty values and
    /// some characters), so SQS tests send only those.
    /// </summary>
    public static IReadOnlyList<(string Kind, byte[] Bytes, bool SqsSafe)> Malformed { get; } =
    [
        ("whitespace only", B("   "), true),
        ("two fields", B("1 svc"), true),
        ("five fields", B("1 svc 1764505103123 prev extra"), true),
        ("negative depth", B("-1 svc 1764505103123"), true),
        ("depth with a leading zero", B("01 svc 1764505103123"), true),
        ("depth not a number", B("x svc 1764505103123"), true),
        ("depth beyond 9 digits", B("9999999999 svc 1764505103123"), true),
        ("origin with a slash", B("1 sv/c 1764505103123"), true),
        ("origin with CR LF (a forged log line)", B("1 svc\r\nlevel=error 1764505103123"), false),
        ("origin not ASCII", B("1 s\u00e9rvice 1764505103123"), true),
        ("origin with a bidi override", B("1 svc\u202e 1764505103123"), true),
        ("start before 2000", B("1 svc 12345"), true),
        ("start far in the future", B("1 svc 99999999999999"), true),
        ("start as a date", B("1 svc 2026-11-30"), true),
        ("double space", B("1  svc 1764505103123"), true),
        ("previous ID with a slash", B("1 svc 1764505103123 bad/prev"), true),
        ("invalid UTF-8", [0x31, 0x20, 0xFF, 0xFE, 0x20, 0x31], false),
        ("longer than the limit", B("1 " + new string('a', 500) + " 1764505103123"), true),
    ];

    /// <summary>Parses a flow header value by the document's grammar; <see langword="null"/> when it is not valid.</summary>
    public static FlowValue? Parse(string? text, long? nowUnixMilliseconds = null)
    {
        if (text is null)
        {
            return null;
        }

        var match = Grammar().Match(text);
        if (!match.Success)
        {
            return null;
        }

        var depth = long.Parse(match.Groups["depth"].Value, CultureInfo.InvariantCulture);
        var start = long.Parse(match.Groups["start"].Value, CultureInfo.InvariantCulture);
        var now = nowUnixMilliseconds ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (depth > int.MaxValue || start < MinStart || start > now + 86_400_000)
        {
            return null;
        }

        var previous = match.Groups["previous"];
        return new FlowValue((int)depth, match.Groups["origin"].Value, start, previous.Success ? previous.Value : null);
    }

    /// <summary>Parses UTF-8 bytes (strictly: invalid UTF-8 is not valid).</summary>
    public static FlowValue? Parse(byte[]? utf8)
    {
        if (utf8 is null)
        {
            return null;
        }

        try
        {
            return Parse(new UTF8Encoding(false, true).GetString(utf8));
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    // Default ID rules: 1-128 of ASCII letters, digits and -_.: ; depth canonical digits; start canonical digits.
    [GeneratedRegex(@"\A(?<depth>0|[1-9][0-9]{0,8}) (?<origin>[A-Za-z0-9\-_.:]{1,128}) (?<start>[1-9][0-9]{0,14})(?: (?<previous>[A-Za-z0-9\-_.:]{1,128}))?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();
}

/// <summary>A flow header value as the oracle reads it.</summary>
public sealed record FlowValue(int Depth, string Origin, long StartUnixMilliseconds, string? PreviousCorrelationId);
