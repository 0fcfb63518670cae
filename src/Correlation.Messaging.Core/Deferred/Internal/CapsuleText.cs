using System.Buffers;

namespace Correlation.Messaging.Deferred.Internal;

/// <summary>
/// The text form of a capsule, version 1: <c>v1;correlation;causation;traceparent</c>. Empty fields are absent values;
/// <c>%</c> and <c>;</c> inside a field are written <c>%25</c> and <c>%3B</c>. See <c>docs/deferred-work.md</c>.
/// </summary>
internal static class CapsuleText
{
    public const string Version1 = "v1";
    public const char Separator = ';';
    private const int FieldCount = 4;
    private const int FieldCountWithFlow = 5;

    private static readonly SearchValues<char> Escaped = SearchValues.Create("%;");

    public static string Write(string correlationId, string? causationId, string? traceParent, string? flow = null)
    {
        var length = Version1.Length + 3 + EscapedLength(correlationId) + EscapedLength(causationId) + EscapedLength(traceParent)
            + (flow is null ? 0 : 1 + EscapedLength(flow));
        return string.Create(length, (correlationId, causationId, traceParent, flow), static (span, state) =>
        {
            Version1.AsSpan().CopyTo(span);
            var at = Version1.Length;
            at = Append(span, at, state.correlationId);
            at = Append(span, at, state.causationId);
            at = Append(span, at, state.traceParent);
            if (state.flow is not null)
            {
                Append(span, at, state.flow);
            }
        });
    }

    /// <summary>Splits a capsule into its fields. Values are unvalidated: the propagator validates them on restore.</summary>
    public static CorrelationCapsuleProblem TryRead(string text, out string? correlationId, out string? causationId, out string? traceParent, out string? flow)
    {
        correlationId = causationId = traceParent = flow = null;
        if (text.Length > CorrelationCapsule.MaxTextLength)
        {
            return CorrelationCapsuleProblem.TooLong;
        }

        var span = text.AsSpan();
        var end = span.IndexOf(Separator);
        if (end < 2 || span[0] != 'v' || span[1..end].IndexOfAnyExceptInRange('0', '9') >= 0)
        {
            return CorrelationCapsuleProblem.Malformed;
        }

        if (!span[..end].SequenceEqual(Version1))
        {
            return CorrelationCapsuleProblem.UnsupportedVersion;
        }

        Span<Range> fields = stackalloc Range[FieldCountWithFlow + 1];
        var rest = span[(end + 1)..];
        var count = rest.Split(fields, Separator);
        if ((count != FieldCount - 1 && count != FieldCountWithFlow - 1) || rest[fields[0]].IsEmpty)
        {
            return CorrelationCapsuleProblem.Truncated;
        }

        if (!TryUnescape(rest[fields[0]], out correlationId) ||
            !TryUnescape(rest[fields[1]], out causationId) ||
            !TryUnescape(rest[fields[2]], out traceParent) ||
            (count == FieldCountWithFlow - 1 && !TryUnescape(rest[fields[3]], out flow)))
        {
            correlationId = causationId = traceParent = flow = null;
            return CorrelationCapsuleProblem.BadEscape;
        }

        return CorrelationCapsuleProblem.None;
    }

    private static int EscapedLength(string? value)
    {
        if (value is null)
        {
            return 0;
        }

        var extra = 0;
        var rest = value.AsSpan();
        for (var i = rest.IndexOfAny(Escaped); i >= 0; i = rest.IndexOfAny(Escaped))
        {
            extra += 2;
            rest = rest[(i + 1)..];
        }

        return value.Length + extra;
    }

    private static int Append(Span<char> span, int at, string? value)
    {
        span[at++] = Separator;
        if (value is null)
        {
            return at;
        }

        foreach (var c in value)
        {
            switch (c)
            {
                case '%':
                    "%25".AsSpan().CopyTo(span[at..]);
                    at += 3;
                    break;
                case ';':
                    "%3B".AsSpan().CopyTo(span[at..]);
                    at += 3;
                    break;
                default:
                    span[at++] = c;
                    break;
            }
        }

        return at;
    }

    private static bool TryUnescape(ReadOnlySpan<char> field, out string? value)
    {
        value = null;
        if (field.IsEmpty)
        {
            return true;
        }

        if (field.IndexOf('%') < 0)
        {
            value = field.ToString();
            return true;
        }

        var buffer = new char[field.Length];
        var at = 0;
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] != '%')
            {
                buffer[at++] = field[i];
                continue;
            }

            var escape = field.Slice(i, Math.Min(3, field.Length - i));
            if (escape.Equals("%25", StringComparison.OrdinalIgnoreCase))
            {
                buffer[at++] = '%';
            }
            else if (escape.Equals("%3B", StringComparison.OrdinalIgnoreCase))
            {
                buffer[at++] = ';';
            }
            else
            {
                return false;
            }

            i += 2;
        }

        value = new string(buffer, 0, at);
        return true;
    }
}
