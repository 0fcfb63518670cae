using System.Globalization;
using System.Text.Json;
using Correlation.Messaging.Timeline.Flows;
using Correlation.Messaging.Timeline.Input;

namespace Correlation.Messaging.Timeline.Tests;

/// <summary>Builds hand-made JSON log lines and parses them.</summary>
internal static class LogLines
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A flat JSON line; <paramref name="ms"/> is the offset from <see cref="T0"/>.</summary>
    public static string Flat(
        double ms,
        string correlationId,
        string service,
        string message,
        string? messageId = null,
        string? causationId = null,
        string level = "info",
        params (string Key, object? Value)[] extra)
    {
        var fields = new Dictionary<string, object?>
        {
            ["timestamp"] = T0.AddMilliseconds(ms).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            ["level"] = level,
            ["message"] = message,
            ["correlation_id"] = correlationId,
            ["service"] = service,
        };
        if (messageId is not null)
        {
            fields["message_id"] = messageId;
        }

        if (causationId is not null)
        {
            fields["causation_id"] = causationId;
        }

        foreach (var (key, value) in extra)
        {
            fields[key] = value;
        }

        return JsonSerializer.Serialize(fields);
    }

    public static LogRecord Parse(string line, bool serviceFromCategory = false, string? fileStem = null)
    {
        var outcome = new LogLineParser(serviceFromCategory).Parse(line, new LineOrigin("test", fileStem, 1, 0), out var record);
        outcome.ShouldBe(LineOutcome.Record);
        return record!;
    }

    public static IReadOnlyList<LogRecord> ParseAll(params string[] lines)
    {
        var reader = new LogReader(new LogLineParser());
        var records = new List<LogRecord>();
        reader.Read(new StringReader(string.Join('\n', lines)), "test", "test", records);
        reader.Statistics.Malformed.ShouldBe(0);
        return records;
    }

    public static Flow Flow(params string[] lines)
    {
        var flows = FlowBuilder.BuildAll(ParseAll(lines));
        flows.Count.ShouldBe(1);
        return flows[0];
    }

    public static string TestDataPath(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);
}
