using System.Text;
using CsCheck;

namespace Correlation.Messaging.Contracts.Oracle;

/// <summary>What a broker's header can carry, for <see cref="WireValueGen.For"/>.</summary>
/// <param name="Text">Whether a value can arrive as text (in-process carriers; HTTP; AMQP tables built from strings).</param>
/// <param name="Bytes">Whether a value can arrive as bytes (Kafka header values; AMQP long strings).</param>
/// <param name="Null">Whether a header can be present with a null value.</param>
/// <param name="WrongTypes">Values of wrong wire types the broker can carry (for example an AMQP integer and table).</param>
public sealed record WireCapabilities(bool Text, bool Bytes, bool Null, IReadOnlyList<object> WrongTypes)
{
    /// <summary>Gets the capabilities of Kafka record headers: bytes or null.</summary>
    public static WireCapabilities Kafka { get; } = new(Text: false, Bytes: true, Null: true, []);

    /// <summary>Gets the capabilities of an in-process carrier: text, bytes and null.</summary>
    public static WireCapabilities InProcess { get; } = new(Text: true, Bytes: true, Null: true, []);
}

/// <summary>
/// CsCheck generators of inbound correlation values, one per <see cref="WireKind"/>, shrinking towards short values.
/// Every generator builds its values from the document's words (allowed set, MaxLength, the character classes it names),
/// never from the library.
/// </summary>
public static class WireValueGen
{
    /// <summary>The allowed characters with the default symbols.</summary>
    public const string Allowed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:";

    /// <summary>The environment variable that replays a broker run: the seed its output printed.</summary>
    public const string SeedVariable = "ORACLE_SEED";

    private static readonly Gen<char> AllowedChar = Gen.Char[Allowed];

    /// <summary>Gets a valid value: 1 to <paramref name="maxLength"/> allowed characters.</summary>
    public static Gen<string> ValidText(int maxLength = 128) => Chars(AllowedChar, 1, maxLength);

    /// <summary>Gets every kind of text value (the in-process view, lone surrogates included).</summary>
    public static Gen<WireValue> Text(int maxLength = 128) =>
        Gen.Frequency([.. TextKinds(maxLength).Select(k => (k.Weight, (IGen<WireValue>)k.Gen))]);

    /// <summary>Gets one generator per kind of text value, with its weight in <see cref="Text"/>.</summary>
    public static IReadOnlyList<(WireKind Kind, int Weight, Gen<WireValue> Gen)> TextKinds(int maxLength = 128)
    {
        var shortValid = Chars(AllowedChar, 0, 20);
        Gen<WireValue> Around(WireKind kind, Gen<string> middle) =>
            Gen.Select(shortValid, middle, shortValid, (a, m, b) => WireValue.OfText(kind, a + m + b));

        return
        [
            (WireKind.Valid, 6, ValidText(maxLength).Select(t => WireValue.OfText(WireKind.Valid, t))),
            (WireKind.OutsideAllowedSet, 4, Around(WireKind.OutsideAllowedSet, Gen.OneOf(
                Gen.Char[" /\\\"';,=<>{}[]()!?@#$%^&*+|~`"].Select(c => c.ToString()),
                Gen.Char['\u00C0', '\u024F'].Select(c => c.ToString()),
                Gen.OneOf("é", "日本", "\u00A0", "\uFFFD", "\U0001F600", "\U0001D11E", "e\u0301")))),
            (WireKind.EmptyOrWhitespace, 2, Gen.OneOf(
                Gen.Const(string.Empty),
                Chars(Gen.Char[" \u00A0\u2003\u3000"], 1, 8)).Select(t => WireValue.OfText(WireKind.EmptyOrWhitespace, t))),
            (WireKind.TooLong, 2, Gen.Int[maxLength + 1, 12 * 1024].SelectMany(n => Chars(AllowedChar, n, n)).Select(t => WireValue.OfText(WireKind.TooLong, t))),
            (WireKind.Control, 3, Around(WireKind.Control, Gen.OneOf(Gen.Char['\0', '\u001F'], Gen.Char['\u007F', '\u009F']).Select(c => c.ToString()))),
            (WireKind.Format, 3, Around(WireKind.Format, Gen.Char["\u00AD\u061C\u180E\u200B\u200C\u200D\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\uFEFF"].Select(c => c.ToString()))),
            (WireKind.FormatOutsideBmp, 3, Around(WireKind.FormatOutsideBmp, Gen.OneOf(Gen.Int[0xE0001, 0xE0001], Gen.Int[0xE0020, 0xE007F], Gen.Int[0x1D173, 0x1D17A], Gen.Int[0x1BCA0, 0x1BCA3], Gen.Int[0x110BD, 0x110BD])
                .Select(char.ConvertFromUtf32))),
            (WireKind.LineOrParagraphSeparator, 2, Around(WireKind.LineOrParagraphSeparator, Gen.Char["\u2028\u2029"].Select(c => c.ToString()))),
            (WireKind.LoneSurrogate, 2, Around(WireKind.LoneSurrogate, Gen.Char['\uD800', '\uDFFF'].Select(c => c.ToString()))),
            (WireKind.Noncharacter, 1, Around(WireKind.Noncharacter, Gen.Char["\uFFFE\uFFFF"].Select(c => c.ToString()))),
        ];
    }

    /// <summary>
    /// Gets a batch with exactly <paramref name="perKind"/> values of every kind a carrier with
    /// <paramref name="capabilities"/> can receive (text kinds as bytes on byte-only wires), so a
    /// broker run sees every kind however small the sample.
    /// </summary>
    public static Gen<WireValue[]> Stratified(WireCapabilities capabilities, int perKind, int maxLength = 128)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        var parts = new List<Gen<WireValue[]>>();
        foreach (var (_, _, gen) in TextKinds(maxLength))
        {
            if (capabilities.Text)
            {
                parts.Add(gen.Array[perKind]);
            }

            if (capabilities.Bytes)
            {
                parts.Add(gen.Select(v => v.AsBytesOnTheWire()).Array[perKind]);
            }
        }

        if (capabilities.Bytes)
        {
            parts.Add(RawBytes(WireKind.InvalidUtf8).Array[perKind]);
            parts.Add(RawBytes(WireKind.RandomBytes).Array[perKind]);
        }

        if (capabilities.Null)
        {
            parts.Add(Gen.Const(WireValue.OfNull()).Array[perKind]);
        }

        if (capabilities.WrongTypes.Count > 0)
        {
            var types = capabilities.WrongTypes;
            parts.Add(Gen.Int[0, types.Count - 1].Select(i => WireValue.OfWrongType(types[i])).Array[perKind]);
        }

        return parts.Aggregate((a, b) => Gen.Select(a, b, static (x, y) => (WireValue[])[.. x, .. y]));
    }

    /// <summary>Gets byte-only values: bytes that are not strict UTF-8 (<see cref="WireKind.InvalidUtf8"/>), or arbitrary bytes.</summary>
    public static Gen<WireValue> RawBytes(WireKind kind)
    {
        if (kind == WireKind.RandomBytes)
        {
            return Gen.Byte.Array[0, 64].Select(b => WireValue.OfBytes(WireKind.RandomBytes, b));
        }

        byte[][] bad = [[0xC3, 0x28], [0xFF], [0xFE], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xE6, 0x97], [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x80]];
        var prefix = Chars(AllowedChar, 0, 12);
        return Gen.Select(prefix, Gen.Int[0, bad.Length - 1], prefix, (a, i, b) =>
            WireValue.OfBytes(WireKind.InvalidUtf8, [.. Encoding.ASCII.GetBytes(a), .. bad[i], .. Encoding.ASCII.GetBytes(b)]));
    }

    /// <summary>Gets every value a carrier with <paramref name="capabilities"/> can receive.</summary>
    public static Gen<WireValue> For(WireCapabilities capabilities, int maxLength = 128)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        var text = Text(maxLength);
        var gens = new List<(int, IGen<WireValue>)>();
        if (capabilities.Text)
        {
            gens.Add((20, text));
        }

        if (capabilities.Bytes)
        {
            gens.Add((20, text.Select(v => v.AsBytesOnTheWire())));
            gens.Add((4, RawBytes(WireKind.InvalidUtf8)));
            gens.Add((2, RawBytes(WireKind.RandomBytes)));
        }

        if (capabilities.Null)
        {
            gens.Add((1, Gen.Const(WireValue.OfNull())));
        }

        if (capabilities.WrongTypes.Count > 0)
        {
            var types = capabilities.WrongTypes;
            gens.Add((2, Gen.Int[0, types.Count - 1].Select(i => WireValue.OfWrongType(types[i]))));
        }

        return Gen.Frequency([.. gens]);
    }

    /// <summary>
    /// Generates a reproducible batch for a broker run: from <c>ORACLE_SEED</c> when set, else from a fresh seed. The
    /// seed is returned so the test can print it; rerun with <c>ORACLE_SEED=&lt;seed&gt;</c> for the same values.
    /// </summary>
    public static (WireValue[] Values, string Seed) Batch(Gen<WireValue[]> gen)
    {
        ArgumentNullException.ThrowIfNull(gen);
        var fromEnvironment = Environment.GetEnvironmentVariable(SeedVariable);
        var pcg = string.IsNullOrWhiteSpace(fromEnvironment) ? PCG.ThreadPCG : PCG.Parse(fromEnvironment.Trim());
        var seed = pcg.ToString();
        var values = gen.Generate(pcg, null, out _);
        return (values, seed);
    }

    private static Gen<string> Chars(Gen<char> chars, int min, int max) => chars.Array[min, max].Select(a => new string(a));
}
