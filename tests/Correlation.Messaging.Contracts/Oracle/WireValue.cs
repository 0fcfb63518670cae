using System.Globalization;
using System.Text;

namespace Correlation.Messaging.Contracts.Oracle;

/// <summary>What a generated value is meant to exercise (for tallies and failure messages; the oracle never reads it).</summary>
public enum WireKind
{
    /// <summary>1 to MaxLength characters from the allowed set.</summary>
    Valid,

    /// <summary>Printable, but with a character outside the allowed set (space, <c>/</c>, <c>é</c>, an emoji…).</summary>
    OutsideAllowedSet,

    /// <summary>No characters, or only white space.</summary>
    EmptyOrWhitespace,

    /// <summary>Allowed characters, more than MaxLength of them.</summary>
    TooLong,

    /// <summary>A C0 or C1 control character (CR, LF, NUL, ESC…).</summary>
    Control,

    /// <summary>A format character of the Basic Multilingual Plane (bidi overrides, zero-width characters, BOM).</summary>
    Format,

    /// <summary>A format character outside the Basic Multilingual Plane (tag characters, musical-symbol formatting).</summary>
    FormatOutsideBmp,

    /// <summary>U+2028 or U+2029.</summary>
    LineOrParagraphSeparator,

    /// <summary>A lone UTF-16 surrogate (as text), or its 3-byte encoding (as bytes: invalid UTF-8).</summary>
    LoneSurrogate,

    /// <summary>U+FFFE or U+FFFF.</summary>
    Noncharacter,

    /// <summary>Bytes that are not strict UTF-8.</summary>
    InvalidUtf8,

    /// <summary>Arbitrary bytes.</summary>
    RandomBytes,

    /// <summary>A header present with a null value.</summary>
    Null,

    /// <summary>A value of a type other than text or bytes (an AMQP integer, table, array, timestamp…).</summary>
    WrongType,
}

/// <summary>
/// One inbound correlation header value as a foreign producer puts it on the wire: text (in-process and HTTP), bytes
/// (Kafka header values, AMQP long strings), null, or a value of a wrong type.
/// </summary>
public sealed class WireValue
{
    private WireValue(WireKind kind, string? text, byte[]? bytes, object? other, bool isNull)
    {
        Kind = kind;
        Text = text;
        Bytes = bytes;
        Other = other;
        IsNull = isNull;
    }

    /// <summary>Gets what the value is meant to exercise.</summary>
    public WireKind Kind { get; }

    /// <summary>Gets the value when it is text.</summary>
    public string? Text { get; }

    /// <summary>Gets the value when it is bytes.</summary>
    public byte[]? Bytes { get; }

    /// <summary>Gets the value when it is of a wrong type.</summary>
    public object? Other { get; }

    /// <summary>Gets whether the header is present with a null value.</summary>
    public bool IsNull { get; }

    /// <summary>Creates a text value.</summary>
    public static WireValue OfText(WireKind kind, string text) => new(kind, text, null, null, false);

    /// <summary>Creates a byte value.</summary>
    public static WireValue OfBytes(WireKind kind, byte[] bytes) => new(kind, null, bytes, null, false);

    /// <summary>Creates a null value.</summary>
    public static WireValue OfNull() => new(WireKind.Null, null, null, null, true);

    /// <summary>Creates a wrong-type value.</summary>
    public static WireValue OfWrongType(object value) => new(WireKind.WrongType, null, null, value, false);

    /// <summary>
    /// Gets the value as a byte-carrying wire carries it: bytes as they are; text encoded as UTF-8, where a lone
    /// surrogate becomes its 3-byte encoding (as a sloppy foreign encoder writes it: invalid in strict UTF-8), never U+FFFD.
    /// Null and wrong-type values are returned unchanged.
    /// </summary>
    public WireValue AsBytesOnTheWire() => Text is null ? this : OfBytes(Kind, EncodeLoosely(Text));

    /// <summary>Gets the header value object to hand to a client: the text, the bytes, the wrong-type value, or null.</summary>
    public object? ClientValue => Text ?? (object?)Bytes ?? Other;

    /// <inheritdoc />
    public override string ToString()
    {
        if (IsNull)
        {
            return $"{Kind}: null";
        }

        if (Other is not null)
        {
            return $"{Kind}: {Other.GetType().Name}";
        }

        if (Bytes is not null)
        {
            return $"{Kind}: bytes[{Bytes.Length}] {Convert.ToHexString(Bytes.AsSpan(0, Math.Min(Bytes.Length, 48)))}{(Bytes.Length > 48 ? "…" : string.Empty)}";
        }

        return $"{Kind}: text[{Text!.Length}] \"{Escape(Text)}\"";
    }

    /// <summary>Escapes everything outside printable ASCII as <c>\uXXXX</c>, at most 64 characters (test-side, independent of the library).</summary>
    public static string Escape(string text)
    {
        var sb = new StringBuilder();
        foreach (var c in text.Length > 64 ? text[..64] : text)
        {
            if (c is >= ' ' and <= '~')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
        }

        return text.Length > 64 ? sb.Append('…').ToString() : sb.ToString();
    }

    private static byte[] EncodeLoosely(string text)
    {
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            int cp = text[i];
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                cp = char.ConvertToUtf32(text[i], text[i + 1]);
                i++;
            }

            if (cp < 0x80)
            {
                bytes.Add((byte)cp);
            }
            else if (cp < 0x800)
            {
                bytes.Add((byte)(0xC0 | (cp >> 6)));
                bytes.Add((byte)(0x80 | (cp & 0x3F)));
            }
            else if (cp < 0x10000)
            {
                bytes.Add((byte)(0xE0 | (cp >> 12)));
                bytes.Add((byte)(0x80 | ((cp >> 6) & 0x3F)));
                bytes.Add((byte)(0x80 | (cp & 0x3F)));
            }
            else
            {
                bytes.Add((byte)(0xF0 | (cp >> 18)));
                bytes.Add((byte)(0x80 | ((cp >> 12) & 0x3F)));
                bytes.Add((byte)(0x80 | ((cp >> 6) & 0x3F)));
                bytes.Add((byte)(0x80 | (cp & 0x3F)));
            }
        }

        return [.. bytes];
    }
}
