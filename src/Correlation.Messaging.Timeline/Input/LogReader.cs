using System.Text;

namespace Correlation.Messaging.Timeline.Input;

/// <summary>Counts of what was read, for the summary on stderr.</summary>
internal sealed class ReadStatistics
{
    public int Inputs { get; set; }

    public long Lines { get; set; }

    public long Records { get; set; }

    /// <summary>Gets or sets the lines skipped as malformed: not a JSON object, too long, binary, or with a correlation ID but no timestamp.</summary>
    public long Malformed { get; set; }

    /// <summary>Gets or sets how many of <see cref="Malformed"/> were longer than the line limit.</summary>
    public long TooLong { get; set; }

    /// <summary>Gets or sets how many of <see cref="Malformed"/> had a correlation ID but no usable timestamp.</summary>
    public long NoTimestamp { get; set; }

    /// <summary>Gets or sets the well-formed lines without a correlation ID (not part of any flow; not an error).</summary>
    public long WithoutCorrelationId { get; set; }
}

/// <summary>Reads log lines from text streams into <see cref="LogRecord"/>s, with a bounded line length.</summary>
internal sealed class LogReader
{
    private readonly LogLineParser _parser;
    private long _sequence;

    public LogReader(LogLineParser parser) => _parser = parser;

    public ReadStatistics Statistics { get; } = new();

    /// <summary>Reads every line of <paramref name="reader"/>; records accepted by <paramref name="filter"/> go to <paramref name="into"/>.</summary>
    public void Read(TextReader reader, string source, string? fileStem, ICollection<LogRecord> into, Func<LogRecord, bool>? filter = null)
    {
        Statistics.Inputs++;
        long lineNumber = 0;
        foreach (var line in ReadBoundedLines(reader, _parser.MaxLineLength))
        {
            lineNumber++;
            Statistics.Lines++;
            if (line is null)
            {
                Statistics.Malformed++;
                Statistics.TooLong++;
                continue;
            }

            var origin = new LineOrigin(source, fileStem, lineNumber, _sequence++);
            switch (_parser.Parse(line, origin, out var record))
            {
                case LineOutcome.Record when record is not null:
                    Statistics.Records++;
                    if (filter is null || filter(record))
                    {
                        into.Add(record);
                    }

                    break;
                case LineOutcome.Malformed:
                    Statistics.Malformed++;
                    break;
                case LineOutcome.NoTimestamp when record is not null:
                    // Kept: ordered by causation within its flow (FlowBuilder), and reported.
                    Statistics.Records++;
                    Statistics.NoTimestamp++;
                    if (filter is null || filter(record))
                    {
                        into.Add(record);
                    }

                    break;
                case LineOutcome.NoCorrelationId:
                    Statistics.WithoutCorrelationId++;
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>
    /// Splits a text stream into lines without ever holding more than <paramref name="maxLength"/> characters of one
    /// line: a longer line is skipped to its end and reported as <see langword="null"/>.
    /// </summary>
    internal static IEnumerable<string?> ReadBoundedLines(TextReader reader, int maxLength)
    {
        var buffer = new char[16 * 1024];
        var line = new StringBuilder();
        var overflow = false;
        var pending = false;
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != '\n')
                {
                    continue;
                }

                if (!Append(line, buffer.AsSpan(start, i - start), maxLength, ref overflow))
                {
                    overflow = true;
                }

                yield return overflow ? null : TrimCarriageReturn(line);
                line.Clear();
                overflow = false;
                pending = false;
                start = i + 1;
            }

            if (start < read)
            {
                pending = true;
                if (!Append(line, buffer.AsSpan(start, read - start), maxLength, ref overflow))
                {
                    overflow = true;
                }
            }
        }

        if (pending)
        {
            yield return overflow ? null : TrimCarriageReturn(line);
        }
    }

    private static bool Append(StringBuilder line, ReadOnlySpan<char> chars, int maxLength, ref bool overflow)
    {
        if (overflow)
        {
            return false;
        }

        if (line.Length + chars.Length > maxLength + 1)
        {
            line.Clear();
            return false;
        }

        line.Append(chars);
        return true;
    }

    private static string TrimCarriageReturn(StringBuilder line)
    {
        var length = line.Length;
        if (length > 0 && line[length - 1] == '\r')
        {
            length--;
        }

        return line.ToString(0, length);
    }
}
