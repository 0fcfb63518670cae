using System.Globalization;
using System.Text;

namespace Correlation.Messaging.Contracts.Oracle;

/// <summary>What <c>docs/wire-format.md</c> says must happen to one inbound correlation value.</summary>
public enum ExpectedOutcome
{
    /// <summary>The value is used: the handler sees exactly this ID, source <c>Inbound</c>.</summary>
    Kept,

    /// <summary>A new ID: valid, different from the inbound value, source <c>Replaced</c>.</summary>
    Replaced,

    /// <summary><c>CorrelationIdRejectedException</c>: the broker's failure path, the handler never runs.</summary>
    Rejected,
}

/// <summary>The oracle's verdict for one value under one policy.</summary>
/// <param name="Outcome">What must happen.</param>
/// <param name="KeptId">The ID the handler must see when <paramref name="Outcome"/> is <see cref="ExpectedOutcome.Kept"/>.</param>
/// <param name="Reason">The row of the document's table that decided it.</param>
public readonly record struct OracleVerdict(ExpectedOutcome Outcome, string? KeptId, string Reason);

/// <summary>
/// An independent reading of <c>docs/wire-format.md</c> ("Validation and policies"), written from the document alone.
/// It uses no code of the library: only the BCL's strict UTF-8 decoder and Unicode categories of whole code points.
/// </summary>
/// <remarks>
/// The document's table:
/// <list type="bullet">
/// <item>valid (1 to MaxLength characters, all ASCII letters, digits or the allowed symbols): used under every policy;</item>
/// <item>printable but outside the allowed set: Regenerate → new ID (Replaced), Reject → rejected, Trust → used as is
/// (on HTTP, section "HTTP": only when ASCII, otherwise a new ID);</item>
/// <item>empty, white space only, longer than MaxLength; control, format, line/paragraph separator characters, lone surrogates,
/// U+FFFE/U+FFFF; invalid UTF-8; null; wrong wire type: Regenerate → new ID, Reject → rejected, Trust → new ID.</item>
/// </list>
/// "Characters" are UTF-16 code units here; the generators keep non-ASCII values far from the length limit, so the
/// document's wording is never stretched at that boundary.
/// </remarks>
public sealed class WireFormatOracle
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string _allowedSymbols;
    private readonly bool _asciiOnly;

    /// <summary>Initializes an oracle for the given validation settings (defaults: 128, <c>-_.:</c>).</summary>
    /// <param name="maxLength">The maximum length of a valid ID.</param>
    /// <param name="allowedSymbols">The allowed symbols.</param>
    /// <param name="asciiOnly">The carrier is HTTP (the document's "HTTP" section): <c>Trust</c> keeps only ASCII values.</param>
    public WireFormatOracle(int maxLength = 128, string allowedSymbols = "-_.:", bool asciiOnly = false)
    {
        MaxLength = maxLength;
        _allowedSymbols = allowedSymbols;
        _asciiOnly = asciiOnly;
    }

    /// <summary>Gets the oracle for the default options.</summary>
    public static WireFormatOracle Default { get; } = new();

    /// <summary>Gets the oracle for the default options on HTTP, which carries ASCII only: a trusted non-ASCII value is replaced.</summary>
    public static WireFormatOracle Http { get; } = new(asciiOnly: true);

    /// <summary>Gets the maximum length of a valid ID.</summary>
    public int MaxLength { get; }

    /// <summary>Returns whether <paramref name="id"/> is a valid ID: 1 to MaxLength characters from the allowed set.</summary>
    public bool IsValidId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(c is >= 'A' and <= 'Z' || c is >= 'a' and <= 'z' || c is >= '0' and <= '9' || _allowedSymbols.Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Returns the document's verdict for <paramref name="value"/> under <paramref name="policy"/>.</summary>
    public OracleVerdict Judge(WireValue value, InvalidCorrelationIdPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.IsNull)
        {
            return Unusable(policy, "null header value");
        }

        if (value.Other is not null)
        {
            return Unusable(policy, "wrong wire type");
        }

        string text;
        if (value.Bytes is not null)
        {
            try
            {
                text = StrictUtf8.GetString(value.Bytes);
            }
            catch (DecoderFallbackException)
            {
                return Unusable(policy, "invalid UTF-8 bytes");
            }
        }
        else
        {
            text = value.Text!;
        }

        return JudgeText(text, policy);
    }

    private OracleVerdict JudgeText(string text, InvalidCorrelationIdPolicy policy)
    {
        if (IsValidId(text))
        {
            return new(ExpectedOutcome.Kept, text, "valid");
        }

        if (text.Length == 0 || text.All(char.IsWhiteSpace))
        {
            return Unusable(policy, "empty or white space");
        }

        if (text.Length > MaxLength)
        {
            return Unusable(policy, "longer than MaxLength");
        }

        if (UnsafeCodePoint(text) is { } unsafeReason)
        {
            return Unusable(policy, unsafeReason);
        }

        return policy switch
        {
            InvalidCorrelationIdPolicy.Trust when _asciiOnly && !Ascii.IsValid(text) => new(ExpectedOutcome.Replaced, null, "printable outside the allowed set, trusted, but not ASCII: HTTP cannot carry it"),
            InvalidCorrelationIdPolicy.Trust => new(ExpectedOutcome.Kept, text, "printable outside the allowed set, trusted"),
            InvalidCorrelationIdPolicy.Reject => new(ExpectedOutcome.Rejected, null, "printable outside the allowed set"),
            _ => new(ExpectedOutcome.Replaced, null, "printable outside the allowed set"),
        };
    }

    private static OracleVerdict Unusable(InvalidCorrelationIdPolicy policy, string reason) =>
        policy == InvalidCorrelationIdPolicy.Reject ? new(ExpectedOutcome.Rejected, null, reason) : new(ExpectedOutcome.Replaced, null, reason);

    /// <summary>
    /// Returns the first code point the document forbids under every policy (control, format, line or paragraph separator,
    /// lone surrogate, U+FFFE/U+FFFF), described; <see langword="null"/> when there is none. Log lines must pass this too.
    /// </summary>
    public static string? UnsafeCodePoint(string text)
    {
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used) != System.Buffers.OperationStatus.Done)
            {
                return $"lone surrogate U+{(int)text[i]:X4}";
            }

            i += used;
            if (rune.Value is 0xFFFE or 0xFFFF)
            {
                return $"noncharacter U+{rune.Value:X4}";
            }

            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                return $"{category} character U+{rune.Value:X4}";
            }
        }

        return null;
    }
}
