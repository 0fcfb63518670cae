using System.Text;

namespace Correlation.Messaging.Contracts;

/// <summary>One generated hostile header value: text or raw bytes, with the kind of hostility for failure messages.</summary>
public sealed record HostileValue(string Kind, string? Text, byte[]? Bytes)
{
    /// <summary>Gets the value as UTF-8 bytes (text is encoded, lone surrogates become U+FFFD as any encoder would).</summary>
    public byte[] AsBytes() => Bytes ?? Encoding.UTF8.GetBytes(Text!);

    /// <summary>Gets the value as text (bytes are decoded leniently).</summary>
    public string AsText() => Text ?? Encoding.UTF8.GetString(Bytes!);

    public override string ToString() => $"{Kind}: {Correlation.Messaging.Validation.CorrelationIdValidator.Sanitize(AsText())}";
}

/// <summary>
/// A seeded generator of hostile correlation header values: random bytes, long runs, control characters, Unicode edge
/// cases (lone surrogates, bidi overrides, zero-width characters) and near-valid values at the length and charset
/// boundaries. Superseded by <see cref="Oracle.WireValueGen"/> (CsCheck, shrinking) judged by <see cref="Oracle.WireFormatOracle"/>;
/// kept until every broker's tests use those.
/// </summary>
public static class HostileValues
{
    private const string Allowed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:";

    private static readonly string[] UnicodeEdges =
    [
        "\u202E", "\u202D", "\u2066", "\u2069", "\u200B", "\u200C", "\u200D", "\u2060", "\uFEFF", "\u2028", "\u2029",
        "\u0085", "\u00A0", "\uFFFD", "\uFFFF", "\uFFFE", "\uD800", "\uDBFF", "\uDC00", "\uDFFF", "\U0001F600", "é", "日", "\u0301",
    ];

    private static readonly string[] Controls = ["\r", "\n", "\r\n", "\0", "\t", "\u001b[31m", "\u0007", "\u007f", "\b", "\u000b", "\u000c"];

    /// <summary>Gets the seed to use: the <c>HOSTILE_SEED</c> environment variable, or a fixed default so CI is reproducible.</summary>
    public static int Seed => int.TryParse(Environment.GetEnvironmentVariable("HOSTILE_SEED"), out var seed) ? seed : 20261121;

    /// <summary>Generates <paramref name="count"/> values from <paramref name="seed"/>.</summary>
    public static IEnumerable<HostileValue> Generate(int seed, int count, int maxLength = 128)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            yield return (i % 8) switch
            {
                0 => RandomBytes(random),
                1 => LongRun(random, maxLength),
                2 => WithControl(random),
                3 => WithUnicodeEdge(random),
                4 => NearValidLength(random, maxLength),
                5 => NearValidCharset(random),
                6 => InvalidUtf8(random),
                _ => Valid(random, maxLength),
            };
        }
    }

    private static HostileValue RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 64)];
        random.NextBytes(bytes);
        return new HostileValue("random-bytes", null, bytes);
    }

    private static HostileValue LongRun(Random random, int maxLength)
    {
        var length = random.Next(maxLength + 1, 12 * 1024);
        var c = random.Next(3) switch { 0 => 'a', 1 => '-', _ => '\n' };
        return new HostileValue("long-run", new string(c, length), null);
    }

    private static HostileValue WithControl(Random random)
    {
        var text = ValidText(random, random.Next(1, 20)) + Controls[random.Next(Controls.Length)] + ValidText(random, random.Next(0, 20));
        return new HostileValue("control", text, null);
    }

    private static HostileValue WithUnicodeEdge(Random random)
    {
        var text = ValidText(random, random.Next(0, 16)) + UnicodeEdges[random.Next(UnicodeEdges.Length)] + ValidText(random, random.Next(0, 16));
        return new HostileValue("unicode-edge", text, null);
    }

    private static HostileValue NearValidLength(Random random, int maxLength)
    {
        var length = maxLength + random.Next(-2, 3);
        return new HostileValue(length > maxLength ? "length-over" : "length-at", ValidText(random, Math.Max(1, length)), null);
    }

    private static HostileValue NearValidCharset(Random random)
    {
        var text = ValidText(random, random.Next(1, 30)).ToCharArray();
        text[random.Next(text.Length)] = " /\\\"';,=<>{}[]()!?@#$%^&*+|~`"[random.Next(29)];
        return new HostileValue("charset-boundary", new string(text), null);
    }

    private static HostileValue InvalidUtf8(Random random)
    {
        byte[][] bad = [[0xC3, 0x28], [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE6, 0x97], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x80]];
        var prefix = Encoding.ASCII.GetBytes(ValidText(random, random.Next(0, 10)));
        return new HostileValue("invalid-utf8", null, [.. prefix, .. bad[random.Next(bad.Length)]]);
    }

    private static HostileValue Valid(Random random, int maxLength) => new("valid", ValidText(random, random.Next(1, maxLength + 1)), null);

    private static string ValidText(Random random, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = Allowed[random.Next(Allowed.Length)];
        }

        return new string(chars);
    }
}
