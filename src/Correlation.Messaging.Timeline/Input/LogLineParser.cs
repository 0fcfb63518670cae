using System.Globalization;
using System.Text;
using System.Text.Json;
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

/// <summary>
/// Turns one JSON log line into a <see cref="LogRecord"/>. Understands the Microsoft.Extensions.Logging JSON console
/// formatter (fields at the top level, in <c>State</c>, or in any <c>Scopes</c> entry, later scopes winning), Serilog's
/// compact JSON (<c>@t</c>, <c>@m</c>/<c>@mt</c>, <c>@l</c>, <c>@x</c>), Serilog's plain JSON formatter
/// (<c>Properties</c>), and flat JSON with lower-case keys.
/// </summary>
internal sealed partial class LogLineParser
{
    /// <summary>Lines longer than this (in characters) are not parsed.</summary>
    public const int DefaultMaxLineLength = 1024 * 1024;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    // Each family is tried whole: a line written through our logging scope uses snake_case for all three, and a
    // MassTransit "CorrelationId"/"MessageId" scope (a different ID) must not mix into it.
    private static readonly (string Correlation, string Causation, string Message)[] IdFamilies =
    [
        ("correlation_id", "causation_id", "message_id"),
        ("correlationId", "causationId", "messageId"),
        ("correlation-id", "causation-id", "message-id"),
        ("correlation.id", "causation.id", "message.id"),
    ];

    private static readonly string[] TimestampNames = ["Timestamp", "@t", "@timestamp", "time", "ts", "datetime", "date"];
    private static readonly string[] LevelNames = ["LogLevel", "@l", "level", "severity", "lvl", "loglevel"];
    private static readonly string[] MessageNames = ["@m", "Message", "msg", "RenderedMessage", "text"];
    private static readonly string[] TemplateNames = ["@mt", "MessageTemplate", "{OriginalFormat}"];
    private static readonly string[] ExceptionNames = ["Exception", "@x", "exception", "stack_trace", "stacktrace", "error"];
    private static readonly string[] CategoryNames = ["Category", "SourceContext", "logger", "logger_name", "LoggerName"];
    private static readonly string[] ServiceNames = ["service", "service.name", "service_name", "serviceName", "ServiceName", "OTEL_SERVICE_NAME", "otel.service.name", "Application", "app"];
    private static readonly string[] ProcessNames = ["process.executable.name", "process_name", "ProcessName", "process"];
    private static readonly string[] StepNames = ["step"];
    private static readonly string[] EventNames = ["event", "event_name", "EventName"];
    private static readonly string[] StatusNames = ["status", "outcome"];
    private static readonly string[] AttemptNames = ["attempt", "attempt_number", "delivery_attempt"];
    private static readonly string[] RetryNames = ["retry", "retry_count", "retryCount", "retry_attempt", "RetryAttempt", "redelivery_count"];

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

    /// <summary>Parses one line. Never throws for any input text.</summary>
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

        // Cheap rejection first (plain text, binary): exceptions are slow. A byte order mark where files were
        // concatenated is skipped.
        var start = 0;
        while (start < line.Length && (char.IsWhiteSpace(line[start]) || line[start] == '\uFEFF'))
        {
            start++;
        }

        if (start == line.Length || line[start] != '{')
        {
            return LineOutcome.Malformed;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line.AsMemory(start), DocumentOptions);
        }
        catch (JsonException)
        {
            return LineOutcome.Malformed;
        }
        catch (ArgumentException)
        {
            return LineOutcome.Malformed;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return LineOutcome.Malformed;
            }

            var layers = new Layers(root);
            return Build(ref layers, origin, out record);
        }
    }

    private LineOutcome Build(ref Layers layers, in LineOrigin origin, out LogRecord? record)
    {
        record = null;
        string? correlationId = null, causationId = null, messageId = null;
        foreach (var family in IdFamilies)
        {
            correlationId = layers.FindContextText(family.Correlation);
            if (correlationId is not null)
            {
                causationId = layers.FindContextText(family.Causation);
                messageId = layers.FindContextText(family.Message);
                break;
            }
        }

        if (correlationId is null)
        {
            return LineOutcome.NoCorrelationId;
        }

        var hasTimestamp = TryGetTimestamp(layers.FindCore(TimestampNames), out var timestamp);

        var severity = ParseSeverity(layers.FindCore(LevelNames));
        var message = Text(layers.FindCore(MessageNames));
        if (string.IsNullOrEmpty(message) && layers.FindCore(TemplateNames) is { ValueKind: JsonValueKind.String } template)
        {
            message = RenderTemplate(template.GetString()!, ref layers);
        }

        // "message" in lower case is a flat-shape key; the JSON console formatter's Scopes entries also carry a
        // "Message" (the scope's text), which FindCore never looks at.
        if (string.IsNullOrEmpty(message))
        {
            message = Text(layers.FindCore(["message"]));
        }

        message ??= string.Empty;
        var exception = ExceptionText(layers.FindCore(ExceptionNames));
        var category = Text(layers.FindCore(CategoryNames));
        var service = layers.FindContextText(ServiceNames)
            ?? (_serviceFromCategory ? category : null)
            ?? layers.FindContextText(ProcessNames)
            ?? origin.FileStem
            ?? "unknown";

        var step = layers.FindContextText(StepNames) ?? layers.FindContextText(EventNames);
        if (string.IsNullOrWhiteSpace(step))
        {
            step = FirstLine(message);
        }

        if (string.IsNullOrWhiteSpace(step))
        {
            step = "(no message)";
        }

        var status = layers.FindContextText(StatusNames)?.Trim().ToLowerInvariant();
        int? retryNumber = null;
        var retryFlag = false;
        if (TryGetInt(layers.FindContext(RetryNames), out var retry, out var retryBool))
        {
            retryNumber = Math.Max(0, retry);
        }
        else if (retryBool)
        {
            retryFlag = true;
        }
        else if (TryGetInt(layers.FindContext(AttemptNames), out var attempt, out _))
        {
            retryNumber = Math.Max(0, attempt - 1);
        }

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
            Source = origin.Source,
            LineNumber = origin.LineNumber,
            Sequence = origin.Sequence,
        };
        return hasTimestamp ? LineOutcome.Record : LineOutcome.NoTimestamp;
    }

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

    private static string RenderTemplate(string template, ref Layers layers)
    {
        var copy = layers;
        try
        {
            return TemplateHole().Replace(template, match =>
            {
                var value = copy.FindContext([match.Groups[2].Value]);
                return value is { } v ? Text(v) ?? match.Value : match.Value;
            });
        }
        catch (RegexMatchTimeoutException)
        {
            return template;
        }
    }

    internal static bool TryGetTimestamp(JsonElement? element, out DateTimeOffset timestamp)
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

    internal static Severity ParseSeverity(JsonElement? element)
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

        return Text(value)?.Trim().ToLowerInvariant() switch
        {
            "trace" or "trce" or "verbose" or "vrb" or "verb" => Severity.Trace,
            "debug" or "dbug" or "dbg" => Severity.Debug,
            "warning" or "warn" or "wrn" => Severity.Warning,
            "error" or "fail" or "err" or "eror" => Severity.Error,
            "critical" or "crit" or "fatal" or "ftl" or "crt" or "panic" or "emergency" or "alert" => Severity.Critical,
            _ => Severity.Information,
        };
    }

    private static bool TryGetInt(JsonElement? element, out int value, out bool boolean)
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

    private static string? Text(JsonElement? element) => element is not { } e ? null : e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    private static string? ExceptionText(JsonElement? element)
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

    /// <summary>The objects of one line in the order "later wins": top level, State, Properties, Scopes[0..n].</summary>
    private struct Layers
    {
        private readonly JsonElement _state;
        private readonly JsonElement _properties;
        private readonly JsonElement _scopes;

        public Layers(JsonElement root)
        {
            Root = root;
            _state = root.TryGetProperty("State", out var state) && state.ValueKind == JsonValueKind.Object ? state : default;
            _properties = root.TryGetProperty("Properties", out var properties) && properties.ValueKind == JsonValueKind.Object ? properties : default;
            _scopes = root.TryGetProperty("Scopes", out var scopes) && scopes.ValueKind == JsonValueKind.Array ? scopes : default;
        }

        public JsonElement Root { get; }

        /// <summary>Finds a line-level field (timestamp, level, message...): top level first, then State, then Properties.</summary>
        public readonly JsonElement? FindCore(string[] names)
        {
            foreach (var name in names)
            {
                if (Find(Root, name) is { } top)
                {
                    return top;
                }

                if (_state.ValueKind == JsonValueKind.Object && Find(_state, name) is { } state)
                {
                    return state;
                }

                if (_properties.ValueKind == JsonValueKind.Object && Find(_properties, name) is { } properties)
                {
                    return properties;
                }
            }

            return null;
        }

        /// <summary>Finds a context field (IDs, service, step...): the last scope first, then Properties, State, top level.</summary>
        public readonly JsonElement? FindContext(string[] names)
        {
            foreach (var name in names)
            {
                if (_scopes.ValueKind == JsonValueKind.Array)
                {
                    for (var i = _scopes.GetArrayLength() - 1; i >= 0; i--)
                    {
                        var scope = _scopes[i];
                        if (scope.ValueKind == JsonValueKind.Object && Find(scope, name) is { } fromScope)
                        {
                            return fromScope;
                        }
                    }
                }

                if (_properties.ValueKind == JsonValueKind.Object && Find(_properties, name) is { } properties)
                {
                    return properties;
                }

                if (_state.ValueKind == JsonValueKind.Object && Find(_state, name) is { } state)
                {
                    return state;
                }

                if (Find(Root, name) is { } top)
                {
                    return top;
                }
            }

            return null;
        }

        public readonly string? FindContextText(string name) => FindContextText([name]);

        public readonly string? FindContextText(string[] names)
        {
            var text = Text(FindContext(names));
            return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        }

        private static JsonElement? Find(JsonElement obj, string name)
        {
            JsonElement? caseInsensitive = null;
            foreach (var property in obj.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }

                if (property.NameEquals(name))
                {
                    return property.Value;
                }

                if (caseInsensitive is null && string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    caseInsensitive = property.Value;
                }
            }

            return caseInsensitive;
        }
    }
}
