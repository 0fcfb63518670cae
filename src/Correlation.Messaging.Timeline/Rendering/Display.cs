using System.Globalization;
using System.Text;

namespace Correlation.Messaging.Timeline.Rendering;

/// <summary>Formatting shared by the text and HTML renderers.</summary>
internal static class Display
{
    /// <summary>Makes log text safe to print on one terminal line: control, bidi and other format characters become '?'; long text ends with '…'.</summary>
    public static string Clean(string? text, int maxLength = int.MaxValue)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var builder = new StringBuilder(Math.Min(text.Length, 256));
        foreach (var rune in text.EnumerateRunes())
        {
            if (builder.Length >= maxLength)
            {
                builder.Length = Math.Max(0, maxLength - 1);
                builder.Append('…');
                return builder.ToString();
            }

            var category = Rune.GetUnicodeCategory(rune);
            if (rune.Value is '\t' or '\n' or '\r')
            {
                builder.Append(' ');
            }
            else if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse)
            {
                builder.Append('?');
            }
            else
            {
                builder.Append(rune.ToString());
            }
        }

        return builder.ToString();
    }

    /// <summary>Shortens a long message ID to its last 8 characters (the random part of UUIDs and ULIDs).</summary>
    public static string ShortId(string? id)
    {
        if (id is null)
        {
            return "-";
        }

        var clean = Clean(id);
        return clean.Length <= 12 ? clean : "…" + clean[^8..];
    }

    public static string Duration(TimeSpan duration)
    {
        var ms = duration.TotalMilliseconds;
        if (ms < 0)
        {
            return "-" + Duration(-duration);
        }

        if (ms < 1000)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{Math.Round(ms, MidpointRounding.AwayFromZero):0} ms");
        }

        if (ms < 60_000)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{ms / 1000:0.000} s");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalMinutes}m {duration.Seconds + (duration.Milliseconds / 1000.0):00.0}s");
    }

    public static string Delta(TimeSpan delta) => "+" + Duration(delta);

    public static string Time(DateTimeOffset timestamp) => timestamp.UtcDateTime.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    public static string DateTime(DateTimeOffset timestamp) => timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);

    /// <summary>Gets the step text of a line, with the first line of its exception when it failed.</summary>
    public static string StepWithError(Input.LogRecord record)
    {
        if (record.Exception is null || !record.IsFailure)
        {
            return record.Step;
        }

        var error = Input.LogLineParser.FirstLine(record.Exception);
        return record.Step.Contains(error, StringComparison.Ordinal) ? record.Step : record.Step + " — " + error;
    }
}
