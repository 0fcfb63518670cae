using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Correlation.Messaging.Validation;

/// <summary>
/// Validates inbound correlation IDs as chars or UTF-8 bytes. The valid case allocates nothing beyond the decoded string.
/// </summary>
internal sealed class CorrelationIdValidator
{
    internal const int SanitizedMaxChars = 64;

    /// <summary>The longest message or causation ID read: room for any AMQP <c>message_id</c> (255 bytes) and any Kafka <c>topic:partition:offset</c>.</summary>
    internal const int MaxMessageIdLength = 512;

    private readonly SearchValues<char> _allowedChars;
    private readonly SearchValues<byte> _allowedBytes;

    public CorrelationIdValidator(int maxLength, string allowedSymbols)
    {
        MaxLength = maxLength;
        var allowed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + allowedSymbols;
        _allowedChars = SearchValues.Create(allowed);
        _allowedBytes = SearchValues.Create(Encoding.ASCII.GetBytes(allowed));
    }

    public int MaxLength { get; }

    /// <summary>Returns <see langword="true"/> when <paramref name="value"/> has no character that could forge a log line or header.</summary>
    public static bool IsSafe(ReadOnlySpan<char> value)
    {
        // Fast path: printable ASCII only.
        if (value.IndexOfAnyExceptInRange(' ', '~') < 0)
        {
            return true;
        }

        for (var i = 0; i < value.Length;)
        {
            // Whole code points, so a surrogate pair gets the category check too (tag characters U+E0000-E007F and
            // the musical-symbol format characters U+1D173-1D17A are format characters outside the BMP).
            if (Rune.DecodeFromUtf16(value[i..], out var rune, out var consumed) != OperationStatus.Done
                || rune.Value is 0xFFFE or 0xFFFF)
            {
                return false;
            }

            i += consumed;
            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.Control:
                case UnicodeCategory.Format:
                case UnicodeCategory.LineSeparator:
                case UnicodeCategory.ParagraphSeparator:
                    return false;
            }
        }

        return true;
    }

    public CorrelationIdProblem Validate(ReadOnlySpan<char> value, bool trust)
    {
        if (value.IsEmpty || value.IsWhiteSpace())
        {
            return CorrelationIdProblem.Empty;
        }

        if (value.Length > MaxLength)
        {
            return CorrelationIdProblem.TooLong;
        }

        if (value.IndexOfAnyExcept(_allowedChars) < 0)
        {
            return CorrelationIdProblem.None;
        }

        if (!IsSafe(value))
        {
            return CorrelationIdProblem.UnsafeCharacter;
        }

        return trust ? CorrelationIdProblem.None : CorrelationIdProblem.DisallowedCharacter;
    }

    /// <summary>Validates UTF-8 bytes and, when valid, decodes them.</summary>
    public CorrelationIdProblem Validate(ReadOnlySpan<byte> utf8, bool trust, out string? decoded)
    {
        decoded = null;
        if (utf8.IsEmpty)
        {
            return CorrelationIdProblem.Empty;
        }

        // Fast path: only allowed ASCII bytes; one char per byte.
        if (utf8.IndexOfAnyExcept(_allowedBytes) < 0)
        {
            if (utf8.Length > MaxLength)
            {
                return CorrelationIdProblem.TooLong;
            }

            decoded = Encoding.ASCII.GetString(utf8);
            return CorrelationIdProblem.None;
        }

        if (!Utf8.IsValid(utf8))
        {
            return CorrelationIdProblem.InvalidUtf8;
        }

        // A valid UTF-8 sequence has at least as many bytes as UTF-16 chars, so bound the work before decoding.
        if (Encoding.UTF8.GetCharCount(utf8) > MaxLength)
        {
            return CorrelationIdProblem.TooLong;
        }

        var text = Encoding.UTF8.GetString(utf8);
        var problem = Validate(text, trust);
        if (problem == CorrelationIdProblem.None)
        {
            decoded = text;
        }

        return problem;
    }

    /// <summary>
    /// Validates a message or causation ID: opaque text of 1 to <see cref="MaxMessageIdLength"/> characters that is safe
    /// to log (<see cref="IsSafe"/>). The allowed-character set and <c>MaxLength</c> of correlation IDs do not apply: a
    /// broker's own message ID (an AMQP <c>message_id</c> with <c>/</c>, a long Kafka <c>topic:partition:offset</c>) is kept.
    /// </summary>
    public static CorrelationIdProblem ValidateMessageId(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value.IsWhiteSpace())
        {
            return CorrelationIdProblem.Empty;
        }

        if (value.Length > MaxMessageIdLength)
        {
            return CorrelationIdProblem.TooLong;
        }

        return IsSafe(value) ? CorrelationIdProblem.None : CorrelationIdProblem.UnsafeCharacter;
    }

    /// <summary>Validates a message or causation ID given as UTF-8 bytes (strictly decoded) and, when valid, decodes it.</summary>
    public static CorrelationIdProblem ValidateMessageId(ReadOnlySpan<byte> utf8, out string? decoded)
    {
        decoded = null;
        if (utf8.IsEmpty)
        {
            return CorrelationIdProblem.Empty;
        }

        if (!Utf8.IsValid(utf8))
        {
            return CorrelationIdProblem.InvalidUtf8;
        }

        if (utf8.Length > MaxMessageIdLength * 3 || Encoding.UTF8.GetCharCount(utf8) > MaxMessageIdLength)
        {
            return CorrelationIdProblem.TooLong;
        }

        var text = Encoding.UTF8.GetString(utf8);
        var problem = ValidateMessageId(text);
        decoded = problem == CorrelationIdProblem.None ? text : null;
        return problem;
    }

    /// <summary>Returns a copy of <paramref name="value"/> that is safe to log: truncated, with every non-printable-ASCII char escaped.</summary>
    public static string Sanitize(ReadOnlySpan<char> value)
    {
        var builder = new StringBuilder(Math.Min(value.Length, SanitizedMaxChars) + 16);
        var shown = Math.Min(value.Length, SanitizedMaxChars);
        for (var i = 0; i < shown; i++)
        {
            var c = value[i];
            if (c is >= ' ' and <= '~' && c != '\\' && c != '"')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
        }

        if (value.Length > shown)
        {
            builder.Append(CultureInfo.InvariantCulture, $"...(+{value.Length - shown} chars)");
        }

        return builder.ToString();
    }

    /// <summary>Sanitizes bytes: decoded leniently (invalid sequences become U+FFFD, shown escaped), then <see cref="Sanitize(ReadOnlySpan{char})"/>.</summary>
    public static string Sanitize(ReadOnlySpan<byte> utf8)
    {
        var head = utf8[..Math.Min(utf8.Length, SanitizedMaxChars * 4)];
        var text = Sanitize(Encoding.UTF8.GetString(head));
        return head.Length < utf8.Length
            ? string.Create(CultureInfo.InvariantCulture, $"{text}...(+{utf8.Length - head.Length} bytes)")
            : text;
    }
}
