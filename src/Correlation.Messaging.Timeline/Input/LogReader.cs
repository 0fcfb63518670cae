using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Correlation.Messaging.Timeline.Input;

/// <summary>Counts of what was read, for the summary on stderr.</summary>
internal sealed class ReadStatistics
{
    public int Inputs { get; set; }

    public long Lines { get; set; }

    public long Bytes { get; set; }

    public long Records { get; set; }

    /// <summary>Gets or sets the OTLP spans read.</summary>
    public long Spans { get; set; }

    /// <summary>Gets or sets the lines skipped as unreadable: not JSON, broken JSON, too long, binary.</summary>
    public long Malformed { get; set; }

    /// <summary>Gets or sets how many of <see cref="Malformed"/> were longer than the line limit.</summary>
    public long TooLong { get; set; }

    /// <summary>Gets or sets the records with a correlation ID but no usable timestamp (kept, ordered by causation).</summary>
    public long NoTimestamp { get; set; }

    /// <summary>Gets or sets the well-formed records without a correlation ID (not part of any flow; not an error).</summary>
    public long WithoutCorrelationId { get; set; }

    /// <summary>Gets or sets the inputs in which at least one line was unreadable.</summary>
    public int InputsWithMalformed { get; set; }
}

/// <summary>What to read of an input: every line, or only the lines that contain one of some byte strings.</summary>
internal sealed class ReadSelection
{
    private ReadSelection(IReadOnlyList<byte[]> needles) => Needles = needles;

    /// <summary>Gets the selection that reads every line.</summary>
    public static ReadSelection All { get; } = new([]);

    /// <summary>Gets the byte strings one of which a line must contain to be parsed (none: every line).</summary>
    public IReadOnlyList<byte[]> Needles { get; }

    /// <summary>Gets a value indicating whether an OTLP traces batch (<c>"resourceSpans"</c>) was seen in a skipped line.</summary>
    public bool SawSpans { get; internal set; }

    /// <summary>
    /// Selects the lines containing one of <paramref name="texts"/> as written, in lower case or in upper case (IDs
    /// are compared case-insensitively, and logs write them in one case). A line without them cannot hold a record of
    /// the flow: this is what makes finding one flow run at the speed of <c>grep</c>.
    /// </summary>
    public static ReadSelection Containing(IEnumerable<string> texts)
    {
        var needles = texts
            .Where(t => !string.IsNullOrEmpty(t))
            .SelectMany(t => (string[])[t, t.ToLowerInvariant(), t.ToUpperInvariant()])
            .Distinct(StringComparer.Ordinal)
            .Select(Encoding.UTF8.GetBytes)
            .ToList();
        return needles.Count == 0 ? All : new ReadSelection(needles);
    }
}

/// <summary>
/// Reads log inputs as UTF-8 bytes, line by line, with a bounded line length, and hands each line to the
/// <see cref="LogLineParser"/>. Memory is a buffer of the longest line read (at most the line limit), whatever the
/// input's size. UTF-16 inputs (with a byte order mark, or detected from their first bytes) are transcoded; a file
/// that is one JSON document (starting with <c>[</c>, or a pretty-printed <c>{</c> alone on its first line) is read whole.
/// </summary>
internal sealed class LogReader
{
    /// <summary>Files read as one JSON document are read only up to this size.</summary>
    public const long MaxDocumentBytes = 512L * 1024 * 1024;

    private const int InitialBuffer = 1024 * 1024;
    private static readonly SearchValues<byte> WhiteSpace = SearchValues.Create(" \t\r\n"u8);
    private readonly LogLineParser _parser;
    private long _sequence;

    public LogReader(LogLineParser parser, long firstSequence = 0)
    {
        _parser = parser;
        _sequence = firstSequence;
    }

    public ReadStatistics Statistics { get; } = new();

    /// <summary>Gets or sets a callback told how many bytes were read so far (for a progress bar).</summary>
    public Action<long>? Progress { get; set; }

    /// <summary>Reads every line of <paramref name="reader"/>; records accepted by <paramref name="filter"/> go to <paramref name="into"/>.</summary>
    public void Read(TextReader reader, string source, string? fileStem, ICollection<LogRecord> into, Func<LogRecord, bool>? filter = null)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(reader.ReadToEnd()));
        Read(stream, source, fileStem, new CollectingSink(this, into, filter), ReadSelection.All);
    }

    /// <summary>Reads one input stream; its records go to <paramref name="sink"/>.</summary>
    public void Read(Stream stream, string source, string? fileStem, IRecordSink sink, ReadSelection selection)
    {
        Statistics.Inputs++;
        var malformedBefore = Statistics.Malformed;
        var input = Sniff(stream, out var wholeDocument);
        if (wholeDocument && TryReadDocument(input, source, fileStem, sink))
        {
            return;
        }

        ReadLines(input, source, fileStem, sink, selection);
        if (Statistics.Malformed > malformedBefore)
        {
            Statistics.InputsWithMalformed++;
        }
    }

    public long NextSequence() => _sequence++;

    private Stream Sniff(Stream stream, out bool wholeDocument)
    {
        wholeDocument = false;
        var buffered = stream.CanSeek ? stream : new BufferedStream(stream, 64 * 1024);
        Span<byte> head = stackalloc byte[4];
        var start = buffered.CanSeek ? buffered.Position : 0;
        var count = ReadAtMost(buffered, head);
        if (buffered.CanSeek)
        {
            buffered.Position = start;
        }
        else
        {
            // A pipe: the sniffed bytes are put back in front.
            return Sniffed(new PrefixedStream(head[..count].ToArray(), buffered), head[..count], out wholeDocument);
        }

        return Sniffed(buffered, head[..count], out wholeDocument);
    }

    private static Stream Sniffed(Stream stream, ReadOnlySpan<byte> head, out bool wholeDocument)
    {
        wholeDocument = false;
        Encoding? encoding = head switch
        {
            [0xFF, 0xFE, 0, 0, ..] => Encoding.UTF32,
            [0xFF, 0xFE, ..] => Encoding.Unicode,
            [0xFE, 0xFF, ..] => Encoding.BigEndianUnicode,
            [(byte)'{' or (byte)'[', 0, not 0, 0, ..] => Encoding.Unicode,
            [0, (byte)'{' or (byte)'[', 0, not 0, ..] => Encoding.BigEndianUnicode,
            _ => null,
        };
        if (encoding is not null)
        {
            // Transcoded to UTF-8; the byte order mark becomes EF BB BF, which the parser skips.
            return Encoding.CreateTranscodingStream(stream, encoding, Encoding.UTF8, leaveOpen: true);
        }

        var first = head.IndexOfAnyExcept(WhiteSpace);
        if (first >= 0 && head[first] == (byte)'[')
        {
            wholeDocument = true;
        }
        else if (first >= 0 && head[first] == (byte)'{')
        {
            // A pretty-printed document: "{" alone on its first line.
            var rest = head[(first + 1)..];
            var next = rest.IndexOfAnyExcept((byte)' ', (byte)'\t', (byte)'\r');
            wholeDocument = next >= 0 && rest[next] == (byte)'\n';
        }

        return stream;
    }

    private bool TryReadDocument(Stream stream, string source, string? fileStem, IRecordSink sink)
    {
        if (stream.CanSeek && stream.Length - stream.Position > MaxDocumentBytes)
        {
            return false;
        }

        var start = stream.CanSeek ? stream.Position : 0;
        try
        {
            using var document = JsonDocument.Parse(stream, LogLineParser.DocumentOptions);
            Statistics.Lines++;
            _parser.ParseDocument(document.RootElement, new LineOrigin(source, fileStem, 1, 0), sink, Statistics);
            return true;
        }
        catch (JsonException) when (stream.CanSeek)
        {
            stream.Position = start; // not one document after all: read it line by line
            return false;
        }
        catch (JsonException)
        {
            Statistics.Malformed++;
            Statistics.InputsWithMalformed++;
            return true;
        }
    }

    private void ReadLines(Stream stream, string source, string? fileStem, IRecordSink sink, ReadSelection selection)
    {
        var maxLine = _parser.MaxLineLength;
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        var filled = 0;
        var skipping = false;
        long lineNumber = 0;
        try
        {
            while (true)
            {
                var read = stream.Read(buffer, filled, buffer.Length - filled);
                if (read == 0)
                {
                    break;
                }

                Statistics.Bytes += read;
                Progress?.Invoke(Statistics.Bytes);
                var end = filled + read;
                var lastNewline = buffer.AsSpan(filled, read).LastIndexOf((byte)'\n');
                if (lastNewline < 0)
                {
                    filled = end;
                    if (skipping)
                    {
                        filled = 0;
                    }
                    else if (filled == buffer.Length)
                    {
                        if (buffer.Length > maxLine)
                        {
                            // A line over the limit: skipped to its end, counted once.
                            skipping = true;
                            Statistics.Lines++;
                            Statistics.Malformed++;
                            Statistics.TooLong++;
                            lineNumber++;
                            filled = 0;
                        }
                        else
                        {
                            var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxLine + 2));
                            buffer.AsSpan(0, filled).CopyTo(bigger);
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = bigger;
                        }
                    }

                    continue;
                }

                lastNewline += filled;
                var begin = 0;
                if (skipping)
                {
                    begin = buffer.AsSpan(0, end).IndexOf((byte)'\n') + 1;
                    skipping = false;
                }

                ProcessLines(buffer.AsMemory(begin, lastNewline + 1 - begin), source, fileStem, sink, selection, ref lineNumber);
                var rest = end - (lastNewline + 1);
                buffer.AsSpan(lastNewline + 1, rest).CopyTo(buffer);
                filled = rest;
            }

            if (filled > 0 && !skipping)
            {
                ProcessLines(buffer.AsMemory(0, filled), source, fileStem, sink, selection, ref lineNumber);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Processes a block of whole lines (each ending with '\n', except possibly the input's last).</summary>
    private void ProcessLines(ReadOnlyMemory<byte> block, string source, string? fileStem, IRecordSink sink, ReadSelection selection, ref long lineNumber)
    {
        var span = block.Span;
        if (selection.Needles.Count == 0)
        {
            var position = 0;
            while (position < span.Length)
            {
                var newline = span[position..].IndexOf((byte)'\n');
                var length = newline < 0 ? span.Length - position : newline;
                lineNumber++;
                Statistics.Lines++;
                _parser.ParseLine(block.Slice(position, length), new LineOrigin(source, fileStem, lineNumber, 0), sink, Statistics);
                position += length + 1;
            }

            return;
        }

        // Only the lines holding a needle are parsed; the others are counted, never split. Whether the input holds
        // OTLP traces at all is noted once, so that the trace-ID join reads the inputs again only when it can find spans.
        if (!selection.SawSpans && span.IndexOf("\"resourceSpans\""u8) >= 0)
        {
            selection.SawSpans = true;
        }

        var needles = selection.Needles;
        Span<int> next = stackalloc int[Math.Min(needles.Count, 64)];
        next.Fill(-2);
        var pos = 0;
        while (pos < span.Length)
        {
            var hit = -1;
            for (var i = 0; i < next.Length; i++)
            {
                if (next[i] == -2 || (next[i] >= 0 && next[i] < pos))
                {
                    var found = span[pos..].IndexOf(needles[i]);
                    next[i] = found < 0 ? -1 : pos + found;
                }

                if (next[i] >= 0 && (hit < 0 || next[i] < hit))
                {
                    hit = next[i];
                }
            }

            if (hit < 0)
            {
                var remaining = span[pos..];
                var lines = remaining.Count((byte)'\n') + (remaining.Length > 0 && remaining[^1] != (byte)'\n' ? 1 : 0);
                lineNumber += lines;
                Statistics.Lines += lines;
                return;
            }

            var lineStart = span[pos..hit].LastIndexOf((byte)'\n') + 1 + pos;
            var skipped = span[pos..lineStart].Count((byte)'\n');
            lineNumber += skipped + 1;
            Statistics.Lines += skipped + 1;
            var lineEnd = span[lineStart..].IndexOf((byte)'\n');
            var length = lineEnd < 0 ? span.Length - lineStart : lineEnd;
            _parser.ParseLine(block.Slice(lineStart, length), new LineOrigin(source, fileStem, lineNumber, 0), sink, Statistics);
            pos = lineStart + length + 1;
        }
    }

    private static int ReadAtMost(Stream stream, Span<byte> into)
    {
        var total = 0;
        while (total < into.Length)
        {
            var read = stream.Read(into[total..]);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    /// <summary>Collects the records of one read into a collection (the simple API the tests and small inputs use).</summary>
    private sealed class CollectingSink(LogReader reader, ICollection<LogRecord> into, Func<LogRecord, bool>? filter) : IRecordSink
    {
        public long NextSequence() => reader.NextSequence();

        public void Add(LogRecord record)
        {
            if (filter is null || filter(record))
            {
                into.Add(record);
            }
        }

        public void Add(SpanRecord span)
        {
        }
    }

    /// <summary>A stream whose first bytes were already read (sniffed) from a pipe.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream inner) : Stream
    {
        private int _offset;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_offset < prefix.Length)
            {
                var n = Math.Min(buffer.Length, prefix.Length - _offset);
                prefix.AsSpan(_offset, n).CopyTo(buffer);
                _offset += n;
                return n;
            }

            return inner.Read(buffer);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
