using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using System.Text.RegularExpressions;

namespace Correlation.Messaging.Timeline.Input;

/// <summary>What became of one input line.</summary>
internal enum LineOutcome
{
    /// <summary>The line belongs to a flow: <see cref="LogRecord"/> was produced.</summary>
    Record,

    /// <summary>The line was empty or white space.</summary>
    Blank,

    /// <summary>The line is not a JSON object (plain text, binary, array, broken JSON) or is too long.</summary>
    Malformed,

    /// <summary>
    /// The line is a JSON object with a correlation ID but no usable timestamp: <see cref="LogRecord"/> was produced
    /// with <see cref="LogRecord.HasTimestamp"/> false, to be ordered by causation.
    /// </summary>
    NoTimestamp,

    /// <summary>The line is a well-formed JSON object without a correlation ID: not part of any flow.</summary>
    NoCorrelationId,
}

/// <summary>Where a line came from.</summary>
/// <param name="Source">The display name of the input (a path or <c>stdin</c>).</param>
/// <param name="FileStem">The file name without extension, or <see langword="null"/> for stdin.</param>
/// <param name="LineNumber">The 1-based line number inside the input.</param>
/// <param name="Sequence">The global read order across all inputs.</param>
internal readonly record struct LineOrigin(string Source, string? FileStem, long LineNumber, long Sequence);

/// <summary>Receives what the parser finds in a line: log records and OTLP spans.</summary>
internal interface IRecordSink
{
    /// <summary>Gets the next number of the global read order (one per record, across all inputs).</summary>
    long NextSequence();

    void Add(LogRecord record);

    void Add(SpanRecord span);
}

/// <summary>
/// Turns one JSON log line into <see cref="LogRecord"/>s (and <see cref="SpanRecord"/>s). The format is detected per
/// line: envelopes (OTLP/JSON logs and traces, Loki <c>logcli --output=jsonl</c>, Elasticsearch <c>_search</c>
/// responses and hits, CloudWatch <c>filter-log-events</c>, Docker's json-file) are opened by
/// <see cref="Formats.Envelopes"/>; a plain log object (Microsoft JSON console, Serilog CLEF and JSON, NLog JsonLayout,
/// Elastic Common Schema, flat JSON) is read by <see cref="Formats.JsonLogFields"/>.
/// </summary>
internal sealed partial class LogLineParser
{
    /// <summary>Lines longer than this (in bytes of UTF-8) are not parsed.</summary>
    public const int DefaultMaxLineLength = 16 * 1024 * 1024;

    internal static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    private readonly bool _serviceFromCategory;
    private readonly int _maxLineLength;

    /// <summary>Initializes a new instance of the <see cref="LogLineParser"/> class.</summary>
    /// <param name="serviceFromCategory">
    /// Whether a line without a service field is named after its logger category rather than its process or file.
    /// Off by default: in a one-process log the categories are classes (even <c>System.Net.Http.HttpClient...</c>
    /// handlers), not services.
    /// </param>
    /// <param name="maxLineLength">Lines longer than this are not parsed.</param>
    public LogLineParser(bool serviceFromCategory = false, int maxLineLength = DefaultMaxLineLength)
    {
        _serviceFromCategory = serviceFromCategory;
        _maxLineLength = maxLineLength;
    }

    public int MaxLineLength => _maxLineLength;

    /// <summary>Gets the member index reused from line to line (a parser reads one line at a time).</summary>
    internal Formats.FieldIndex Index { get; } = new();

    /// <summary>Parses one line of text and returns its first record. Never throws for any input text.</summary>
    public LineOutcome Parse(string line, in LineOrigin origin, out LogRecord? record)
    {
        record = null;
        if (string.IsNullOrWhiteSpace(line))
        {
            return LineOutcome.Blank;
        }

        if (line.Length > _maxLineLength)
        {
            return LineOutcome.Malformed;
        }

        var sink = new FirstRecordSink(origin.Sequence);
        var statistics = new ReadStatistics();
        var outcome = ParseLine(Encoding.UTF8.GetBytes(line), origin, sink, statistics);
        record = sink.First;
        return outcome;
    }

    /// <summary>
    /// Parses one line of UTF-8 (without its line break): its records go to <paramref name="sink"/> and are counted in
    /// <paramref name="statistics"/>. Never throws for any input bytes.
    /// </summary>
    /// <returns>The outcome of the line (for a line of several records: <see cref="LineOutcome.Record"/> when one was found).</returns>
    public LineOutcome ParseLine(ReadOnlyMemory<byte> utf8, in LineOrigin origin, IRecordSink sink, ReadStatistics statistics)
    {
        var span = utf8.Span;
        // White space, and a byte order mark where files were concatenated, are skipped.
        var start = 0;
        while (start < span.Length)
        {
            if (span[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                start++;
            }
            else if (span.Length - start >= 3 && span[start] == 0xEF && span[start + 1] == 0xBB && span[start + 2] == 0xBF)
            {
                start += 3;
            }
            else
            {
                break;
            }
        }

        if (start == span.Length)
        {
            return LineOutcome.Blank;
        }

        if (span.Length - start > _maxLineLength)
        {
            statistics.Malformed++;
            statistics.TooLong++;
            return LineOutcome.Malformed;
        }

        // Cheap rejection first (plain text, binary): exceptions are slow. kubectl --timestamps puts a time before the object.
        if (span[start] != (byte)'{')
        {
            var brace = span[start..].IndexOf((byte)'{');
            if (brace <= 0 || brace > 40 || span[start + brace - 1] != (byte)' ')
            {
                statistics.Malformed++;
                return LineOutcome.Malformed;
            }

            start += brace;
        }

        var memory = utf8[start..];
        if (!Utf8.IsValid(memory.Span))
        {
            // Mixed encodings: a line that is not UTF-8 is read as Latin-1 (every byte is a character).
            memory = Encoding.UTF8.GetBytes(Encoding.Latin1.GetString(memory.Span));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(memory, DocumentOptions);
        }
        catch (JsonException)
        {
            statistics.Malformed++;
            return LineOutcome.Malformed;
        }
        catch (ArgumentException)
        {
            statistics.Malformed++;
            return LineOutcome.Malformed;
        }

        using (document)
        {
            return ParseDocument(document.RootElement, origin, sink, statistics);
        }
    }

    /// <summary>Reads one parsed JSON value (a line, or a whole file read as one document).</summary>
    public LineOutcome ParseDocument(JsonElement root, in LineOrigin origin, IRecordSink sink, ReadStatistics statistics)
    {
        var before = statistics.Records;
        LineOutcome outcome;
        try
        {
            outcome = Formats.Envelopes.Read(this, root, origin, sink, statistics, depth: 0);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or ArgumentException or OverflowException or KeyNotFoundException)
        {
            // A value of an unexpected kind deep in a record: the line is unreadable, not the input.
            statistics.Malformed++;
            return LineOutcome.Malformed;
        }

        return statistics.Records > before && outcome != LineOutcome.NoTimestamp ? LineOutcome.Record : outcome;
    }

    /// <summary>Builds the record of one log object and counts it.</summary>
    internal LineOutcome Emit<TFields>(TFields fields, in LineOrigin origin, IRecordSink sink, ReadStatistics statistics)
        where TFields : struct, ILogFields
    {
        var outcome = Build(fields, origin, sink.NextSequence(), out var record);
        switch (outcome)
        {
            case LineOutcome.Record when record is not null:
                statistics.Records++;
                sink.Add(record);
                break;
            case LineOutcome.NoTimestamp when record is not null:
                // Kept: ordered by causation within its flow (FlowBuilder), and reported.
                statistics.Records++;
                statistics.NoTimestamp++;
                sink.Add(record);
                break;
            case LineOutcome.NoCorrelationId:
                statistics.WithoutCorrelationId++;
                break;
            case LineOutcome.Malformed:
                statistics.Malformed++;
                break;
            default:
                break;
        }

        return outcome;
    }

    private LineOutcome Build<TFields>(TFields fields, in LineOrigin origin, long sequence, out LogRecord? record)
        where TFields : struct, ILogFields
    {
        record = null;
        string? correlationId = null, causationId = null, messageId = null;
        foreach (var family in FieldNames.IdFamilies)
        {
            correlationId = ContextText(fields, [family.Correlation]);
            if (correlationId is not null)
            {
                causationId = ContextText(fields, [family.Causation]);
                messageId = ContextText(fields, [family.Message]);
                break;
            }
        }

        if (correlationId is null)
        {
            return LineOutcome.NoCorrelationId;
        }

        var hasTimestamp = fields.TryGetTimestamp(out var timestamp);
        var severity = fields.GetSeverity();
        var message = fields.GetMessage();
        if (string.IsNullOrEmpty(message) && fields.GetTemplate() is { } template)
        {
            message = RenderTemplate(template, fields);
        }

        if (string.IsNullOrEmpty(message))
        {
            message = ValueConverters.Text(fields.FindCore(["message"]));
        }

        message ??= string.Empty;
        var exception = fields.GetException();
        var category = fields.GetCategory();
        var service = ContextText(fields, FieldNames.Service)
            ?? (_serviceFromCategory ? category : null)
            ?? fields.GetContainerService()
            ?? ContextText(fields, FieldNames.Process)
            ?? origin.FileStem
            ?? "unknown";

        var step = ContextText(fields, FieldNames.Step) ?? ContextText(fields, FieldNames.Event);
        if (string.IsNullOrWhiteSpace(step))
        {
            step = FirstLine(message);
        }

        if (string.IsNullOrWhiteSpace(step))
        {
            step = "(no message)";
        }

        var status = ContextText(fields, FieldNames.Status)?.ToLowerInvariant();
        int? retryNumber = null;
        var retryFlag = false;
        if (ValueConverters.TryGetInt(fields.FindContext(FieldNames.Retry), out var retry, out var retryBool))
        {
            retryNumber = Math.Max(0, retry);
        }
        else if (retryBool)
        {
            retryFlag = true;
        }
        else if (ValueConverters.TryGetInt(fields.FindContext(FieldNames.Attempt), out var attempt, out _))
        {
            retryNumber = Math.Max(0, attempt - 1);
        }

        int? depth = ValueConverters.TryGetInt(fields.FindContext(FieldNames.Depth), out var d, out _) && d >= 0 ? d : null;

        var isFailure = severity >= Severity.Error
            || message.Contains("R-FAULT", StringComparison.Ordinal)
            || IsOneOf(status, FailureStatuses)
            || (exception is not null && severity >= Severity.Warning);
        var isRetry = retryFlag
            || retryNumber > 0
            || IsOneOf(status, RetryStatuses)
            || message.Contains("R-RETRY", StringComparison.Ordinal)
            || RetryWord().IsMatch(message);

        record = new LogRecord
        {
            Timestamp = hasTimestamp ? timestamp : DateTimeOffset.UnixEpoch,
            HasTimestamp = hasTimestamp,
            CorrelationId = correlationId,
            CausationId = causationId,
            MessageId = messageId,
            Service = service,
            Category = category,
            Severity = severity,
            Message = message,
            Step = step,
            RetryNumber = retryNumber,
            Status = status,
            Exception = exception,
            IsFailure = isFailure,
            IsRetry = isRetry,
            IsCompletion = IsOneOf(status, CompletionStatuses),
            Depth = depth,
            Origin = ContextText(fields, FieldNames.Origin),
            PreviousCorrelationId = ContextText(fields, FieldNames.PreviousCorrelationId),
            TraceId = NormalizeTraceId(ContextText(fields, FieldNames.TraceId)),
            Source = origin.Source,
            LineNumber = origin.LineNumber,
            Sequence = sequence,
        };
        return hasTimestamp ? LineOutcome.Record : LineOutcome.NoTimestamp;
    }

    /// <summary>Finds the first of <paramref name="names"/> that holds text (a number or string; an object of the same name, such as ECS's <c>service</c>, is passed over).</summary>
    private static string? ContextText<TFields>(TFields fields, string[] names)
        where TFields : struct, ILogFields
    {
        if (names.Length == 1)
        {
            return ValueConverters.TrimmedText(fields.FindContext(names));
        }

        foreach (var name in names)
        {
            if (ValueConverters.TrimmedText(fields.FindContext([name])) is { } text)
            {
                return text;
            }
        }

        return null;
    }

    /// <summary>Normalises a W3C trace ID to 32 lower-case hex digits; anything else is not a trace ID.</summary>
    internal static string? NormalizeTraceId(string? text)
    {
        if (text is null || text.Length != 32 || !text.AsSpan().ContainsAnyExcept(HexZero) || text.AsSpan().ContainsAnyExcept(Hex))
        {
            return null;
        }

        return text.ToLowerInvariant();
    }

    private static readonly System.Buffers.SearchValues<char> Hex = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");
    private static readonly System.Buffers.SearchValues<char> HexZero = System.Buffers.SearchValues.Create("0");

    private static readonly string[] FailureStatuses = ["failed", "failure", "fault", "faulted", "error", "errored", "dead-lettered", "dead_lettered", "deadlettered"];
    private static readonly string[] RetryStatuses = ["retry", "retrying", "retried", "redelivered", "requeued"];
    private static readonly string[] CompletionStatuses = ["completed", "complete", "succeeded", "success", "ok", "done"];

    [GeneratedRegex(@"\bretr(?:y|ying|ied)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex RetryWord();

    [GeneratedRegex(@"\{([@$]?)([A-Za-z0-9_.\-]+)(?:[,:][^}]*)?\}", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex TemplateHole();

    private static bool IsOneOf(string? value, string[] set) => value is not null && Array.IndexOf(set, value) >= 0;

    internal static string FirstLine(string text)
    {
        var end = text.AsSpan().IndexOfAny('\r', '\n');
        return (end < 0 ? text : text[..end]).Trim();
    }

    private static string RenderTemplate<TFields>(string template, TFields fields)
        where TFields : struct, ILogFields
    {
        try
        {
            return TemplateHole().Replace(template, match =>
            {
                var value = fields.FindContext([match.Groups[2].Value]);
                return value is { } v ? ValueConverters.Text(v) ?? match.Value : match.Value;
            });
        }
        catch (RegexMatchTimeoutException)
        {
            return template;
        }
    }

    internal static bool TryGetTimestamp(JsonElement? element, out DateTimeOffset timestamp) => ValueConverters.TryGetTimestamp(element, out timestamp);

    internal static Severity ParseSeverity(JsonElement? element) => ValueConverters.ParseSeverity(element);

    /// <summary>Keeps the first record of one line (for <see cref="Parse"/>).</summary>
    private sealed class FirstRecordSink(long sequence) : IRecordSink
    {
        private long _sequence = sequence;

        public LogRecord? First { get; private set; }

        public long NextSequence() => _sequence++;

        public void Add(LogRecord record) => First ??= record;

        public void Add(SpanRecord span)
        {
        }
    }
}
