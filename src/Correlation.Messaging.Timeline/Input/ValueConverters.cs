using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Correlation.Messaging.Timeline.Input;

/// <summary>Turns JSON values into the record's types (text, times, severities, counts); never throws.</summary>
internal static class ValueConverters
{
    public static string? Text(JsonElement? element) => element is not { } e ? null : e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    public static string? TrimmedText(JsonElement? element)
    {
        var text = Text(element);
        return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    }

    public static bool TryGetTimestamp(JsonElement? element, out DateTimeOffset timestamp)
    {
        timestamp = default;
        if (element is not { } value)
        {
            return false;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                var text = value.GetString();
                if (string.IsNullOrWhiteSpace(text))
                {
                    return false;
                }

                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out timestamp))
                {
                    timestamp = timestamp.ToUniversalTime();
                    return true;
                }

                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && FromEpoch(parsed, out timestamp);
            case JsonValueKind.Number:
                return value.TryGetDouble(out var number) && FromEpoch(number, out timestamp);
            default:
                return false;
        }
    }

    /// <summary>Reads OTLP's <c>timeUnixNano</c> (a decimal string, or a number, of nanoseconds since the Unix epoch).</summary>
    public static bool TryGetUnixNanos(JsonElement? element, out DateTimeOffset timestamp)
    {
        timestamp = default;
        if (element is not { } e)
        {
            return false;
        }

        ulong nanos;
        if (e.ValueKind == JsonValueKind.String)
        {
            if (!ulong.TryParse(e.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out nanos))
            {
                return false;
            }
        }
        else if (e.ValueKind != JsonValueKind.Number || !e.TryGetUInt64(out nanos))
        {
            return false;
        }

        if (nanos == 0 || nanos / 100 > (ulong)(DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks))
        {
            return false;
        }

        timestamp = DateTimeOffset.UnixEpoch.AddTicks((long)(nanos / 100));
        return true;
    }

    private static bool FromEpoch(double value, out DateTimeOffset timestamp)
    {
        timestamp = default;

        // Seconds below 1e11 (until year 5138), milliseconds above.
        var milliseconds = value >= 1e11 ? value : value * 1000;
        if (double.IsNaN(milliseconds) || milliseconds <= 0 || milliseconds > 253_402_300_799_000)
        {
            return false;
        }

        timestamp = DateTimeOffset.UnixEpoch.AddTicks((long)(milliseconds * TimeSpan.TicksPerMillisecond));
        return true;
    }

    public static Severity ParseSeverity(JsonElement? element)
    {
        if (element is not { } value)
        {
            // Serilog compact JSON omits @l for Information.
            return Severity.Information;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            // pino/bunyan use 10..60; Microsoft's LogLevel enum is 0..5.
            return number >= 10
                ? number switch { < 20 => Severity.Trace, < 30 => Severity.Debug, < 40 => Severity.Information, < 50 => Severity.Warning, < 60 => Severity.Error, _ => Severity.Critical }
                : (Severity)Math.Clamp(number, 0, 5);
        }

        return ParseSeverityText(Text(value));
    }

    public static Severity ParseSeverityText(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "trace" or "trce" or "verbose" or "vrb" or "verb" => Severity.Trace,
        "debug" or "dbug" or "dbg" => Severity.Debug,
        "warning" or "warn" or "wrn" => Severity.Warning,
        "error" or "fail" or "err" or "eror" => Severity.Error,
        "critical" or "crit" or "fatal" or "ftl" or "crt" or "panic" or "emergency" or "alert" => Severity.Critical,
        _ => Severity.Information,
    };

    /// <summary>Maps OTLP's <c>severityNumber</c> (1–24: TRACE, DEBUG, INFO, WARN, ERROR, FATAL in steps of four).</summary>
    public static Severity FromOtlpSeverityNumber(int number) => number switch
    {
        <= 0 => Severity.Information,
        <= 4 => Severity.Trace,
        <= 8 => Severity.Debug,
        <= 12 => Severity.Information,
        <= 16 => Severity.Warning,
        <= 20 => Severity.Error,
        _ => Severity.Critical,
    };

    public static bool TryGetInt(JsonElement? element, out int value, out bool boolean)
    {
        value = 0;
        boolean = false;
        if (element is not { } e)
        {
            return false;
        }

        switch (e.ValueKind)
        {
            case JsonValueKind.Number when e.TryGetInt32(out value):
                return true;
            case JsonValueKind.String when int.TryParse(e.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out value):
                return true;
            case JsonValueKind.True:
                boolean = true;
                return false;
            default:
                return false;
        }
    }

    public static string? ExceptionText(JsonElement? element)
    {
        if (element is not { } e)
        {
            return null;
        }

        if (e.ValueKind == JsonValueKind.Object)
        {
            // {"type": "...", "message": "...", "stack": "..."} and similar.
            var builder = new StringBuilder();
            foreach (var name in (string[])["type", "Type", "ClassName", "message", "Message"])
            {
                if (e.TryGetProperty(name, out var part) && part.ValueKind == JsonValueKind.String)
                {
                    builder.Append(builder.Length == 0 ? string.Empty : ": ").Append(part.GetString());
                }
            }

            return builder.Length == 0 ? e.GetRawText() : builder.ToString();
        }

        var text = e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        return string.IsNullOrWhiteSpace(text) ? null : text;
    }
}
