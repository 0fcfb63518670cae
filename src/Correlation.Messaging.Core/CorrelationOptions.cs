using System.ComponentModel.DataAnnotations;
using Correlation.Messaging.Generation;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging;

/// <summary>
/// Options for reading, validating, generating and writing correlation IDs.
/// </summary>
/// <remarks>
/// The same options drive every broker adapter and the HTTP edge, so header names, precedence and validation live in
/// one place. See <c>docs/wire-format.md</c> for the wire contract these options describe.
/// </remarks>
public sealed class CorrelationOptions : IValidatableObject
{
    /// <summary>Gets or sets the canonical header (or message attribute) name of the correlation ID.</summary>
    /// <value>The default is <c>X-Correlation-ID</c>.</value>
    [Required]
    public string HeaderName { get; set; } = CorrelationHeaders.CorrelationId;

    /// <summary>Gets or sets the header name of the causation ID (the ID of the message that caused this one).</summary>
    /// <value>The default is <c>X-Causation-ID</c>.</value>
    [Required]
    public string CausationHeaderName { get; set; } = CorrelationHeaders.CausationId;

    /// <summary>
    /// Gets or sets the header name of the per-message ID, written only on brokers that have no message ID of their own (Kafka).
    /// </summary>
    /// <value>The default is <c>X-Message-ID</c>.</value>
    [Required]
    public string MessageIdHeaderName { get; set; } = CorrelationHeaders.MessageId;

    /// <summary>
    /// Gets or sets the header name of the flow metadata (depth, origin, start time and previous flow, in one value).
    /// </summary>
    /// <value>The default is <c>X-Correlation-Flow</c>.</value>
    [Required]
    public string FlowHeaderName { get; set; } = CorrelationHeaders.FlowMetadata;

    /// <summary>
    /// Gets or sets the name this service writes as the origin of the flows it starts. It must be a valid correlation ID
    /// under <see cref="MaxLength"/> and <see cref="AllowedSymbols"/>.
    /// </summary>
    /// <value>
    /// The default is <see langword="null"/>: the <c>OTEL_SERVICE_NAME</c> environment variable, else the entry
    /// assembly's name (characters outside the ID rules replaced by <c>-</c>).
    /// </value>
    public string? ServiceName { get; set; }

    /// <summary>
    /// Gets or sets the deepest flow depth accepted on an inbound message or request: the loop guard. A message over it
    /// gets <see cref="DepthLimitPolicy"/>.
    /// </summary>
    /// <value>The default is 64.</value>
    [Range(1, 1_000_000)]
    public int MaxDepth { get; set; } = 64;

    /// <summary>Gets or sets what happens to an inbound message or request deeper than <see cref="MaxDepth"/>.</summary>
    /// <value>The default is <see cref="FlowDepthLimitPolicy.Reject"/>.</value>
    public FlowDepthLimitPolicy DepthLimitPolicy { get; set; } = FlowDepthLimitPolicy.Reject;

    /// <summary>
    /// Gets the header names read, in order, when <see cref="HeaderName"/> (and the broker's native property, if any) is absent.
    /// </summary>
    /// <value>
    /// The default is <c>correlation-id</c>, <c>CorrelationId</c>, <c>rbs2-corr-id</c>, <c>NServiceBus.CorrelationId</c>.
    /// </value>
    public IList<string> ReadAliases { get; } = new List<string>(CorrelationHeaders.DefaultAliases);

    /// <summary>
    /// Gets the header names the correlation ID is also written under, next to <see cref="HeaderName"/>, for consumers that
    /// read only their own name (Wolverine on Kafka reads <c>correlation-id</c>; CloudEvents binary mode on Kafka reads
    /// <c>ce_correlationid</c>).
    /// </summary>
    /// <value>
    /// The default is empty. Each name costs one more header on every message (its name, the ID and the header framing;
    /// on Kafka, also throughput: see <c>docs/wire-format.md</c>). Never written on SQS, which keeps to its attribute budget.
    /// </value>
    public IList<string> WriteAliases { get; } = new List<string>();

    /// <summary>
    /// Gets the header names read, in order, for the causation ID when <see cref="CausationHeaderName"/> is absent
    /// (CloudEvents binary mode: <c>ce_causationid</c>; Wolverine: <c>conversation-id</c>).
    /// </summary>
    /// <value>The default is empty.</value>
    public IList<string> CausationReadAliases { get; } = new List<string>();

    /// <summary>
    /// Gets the header names the causation ID is also written under, next to <see cref="CausationHeaderName"/>, when
    /// a message is sent while handling another (CloudEvents binary mode on Kafka: <c>ce_causationid</c>).
    /// </summary>
    /// <value>The default is empty. Each name costs one more header on every message sent while handling one; never written on SQS.</value>
    public IList<string> CausationWriteAliases { get; } = new List<string>();

    /// <summary>
    /// Gets or sets a value indicating whether <c>X-Request-ID</c> is read as the last alias.
    /// </summary>
    /// <value>The default is <see langword="false"/>: a request ID often identifies one hop, not a flow.</value>
    public bool ReadRequestIdAlias { get; set; }

    /// <summary>Gets or sets the maximum accepted length of an inbound correlation ID, in characters.</summary>
    /// <value>The default is 128.</value>
    [Range(8, 4096)]
    public int MaxLength { get; set; } = 128;

    /// <summary>
    /// Gets or sets the punctuation accepted in an inbound correlation ID in addition to ASCII letters and digits.
    /// Only printable ASCII symbols are allowed here.
    /// </summary>
    /// <value>The default is <c>-_.:</c>.</value>
    public string AllowedSymbols { get; set; } = "-_.:";

    /// <summary>Gets or sets what happens to an inbound correlation ID that fails validation.</summary>
    /// <value>The default is <see cref="InvalidCorrelationIdPolicy.Regenerate"/>.</value>
    public InvalidCorrelationIdPolicy InvalidIdPolicy { get; set; } = InvalidCorrelationIdPolicy.Regenerate;

    /// <summary>Gets or sets what happens when no inbound correlation ID is present.</summary>
    /// <value>The default is <see cref="MissingCorrelationIdPolicy.Generate"/>.</value>
    public MissingCorrelationIdPolicy MissingIdPolicy { get; set; } = MissingCorrelationIdPolicy.Generate;

    /// <summary>Gets or sets the format of generated correlation IDs.</summary>
    /// <value>The default is <see cref="CorrelationIdFormat.UuidV4"/>: random and unguessable.</value>
    public CorrelationIdFormat IdFormat { get; set; } = CorrelationIdFormat.UuidV4;

    /// <summary>
    /// Gets or sets a custom generator. When set, it takes precedence over <see cref="IdFormat"/>.
    /// </summary>
    /// <value>The default is <see langword="null"/>.</value>
    public ICorrelationIdGenerator? Generator { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether broker adapters carry the W3C <c>traceparent</c> and <c>tracestate</c>
    /// headers next to the correlation header, whether or not a listener samples the trace: when no recorded activity
    /// exists, the inbound <c>traceparent</c> of the message being handled is forwarded unchanged.
    /// </summary>
    /// <value>The default is <see langword="false"/>: leave trace context to the broker's tracing instrumentation.</value>
    public bool PropagateTraceContext { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether spans also carry the correlation ID as <c>correlation.id</c>, the attribute
    /// of earlier releases, next to the OpenTelemetry convention's <c>messaging.message.conversation_id</c>.
    /// </summary>
    /// <value>
    /// The default is <see langword="false"/>. This alias is kept for one release, for dashboards and queries that still
    /// use <c>correlation.id</c>; it will be removed in the next one.
    /// </value>
    public bool EmitLegacyCorrelationIdAttribute { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the correlation ID is also carried as the <c>correlation_id</c> entry of
    /// the W3C <c>baggage</c> header, for services that speak only OpenTelemetry (their baggage propagator forwards it),
    /// and read back from that entry when no correlation header, native property or alias is present.
    /// </summary>
    /// <value>
    /// The default is <see langword="false"/>. When on, the outbound <c>baggage</c> header is the current activity's
    /// baggage plus the correlation ID, within the W3C limits (64 entries, 8,192 bytes; beyond them it is not written),
    /// and it replaces a <c>baggage</c> header the message already had. Inbound, the entry has the lowest precedence and
    /// is validated like any inbound value.
    /// </value>
    public bool BridgeBaggage { get; set; }

    /// <inheritdoc />
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        foreach (var c in AllowedSymbols ?? string.Empty)
        {
            if (c is < '!' or > '~' || char.IsAsciiLetterOrDigit(c))
            {
                yield return new ValidationResult(
                    $"AllowedSymbols may hold only printable ASCII punctuation; '{(int)c:X4}' is not.",
                    [nameof(AllowedSymbols)]);
                yield break;
            }
        }

        foreach (var name in (IEnumerable<string>)[HeaderName, CausationHeaderName, MessageIdHeaderName, FlowHeaderName, .. ReadAliases, .. WriteAliases, .. CausationReadAliases, .. CausationWriteAliases])
        {
            if (string.IsNullOrWhiteSpace(name) || name.AsSpan().IndexOfAnyExceptInRange('!', '~') >= 0)
            {
                yield return new ValidationResult($"Header name '{name}' must be non-empty printable ASCII.", [nameof(HeaderName)]);
                yield break;
            }
        }

        // The header lookup rule matches names ignoring case, so our three names must differ ignoring case, and the
        // causation and message-ID names must never be read as a correlation alias.
        if (string.Equals(HeaderName, CausationHeaderName, StringComparison.OrdinalIgnoreCase)
            || string.Equals(HeaderName, MessageIdHeaderName, StringComparison.OrdinalIgnoreCase)
            || string.Equals(CausationHeaderName, MessageIdHeaderName, StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult(
                $"HeaderName '{HeaderName}', CausationHeaderName '{CausationHeaderName}' and MessageIdHeaderName '{MessageIdHeaderName}' must differ (ignoring case).",
                [nameof(HeaderName), nameof(CausationHeaderName), nameof(MessageIdHeaderName)]);
        }

        if (FlowHeaderName is not null
            && (string.Equals(FlowHeaderName, HeaderName, StringComparison.OrdinalIgnoreCase)
                || string.Equals(FlowHeaderName, CausationHeaderName, StringComparison.OrdinalIgnoreCase)
                || string.Equals(FlowHeaderName, MessageIdHeaderName, StringComparison.OrdinalIgnoreCase)
                || ReadAliases.Any(a => string.Equals(a, FlowHeaderName, StringComparison.OrdinalIgnoreCase))))
        {
            yield return new ValidationResult(
                $"FlowHeaderName '{FlowHeaderName}' must differ (ignoring case) from the correlation, causation and message-ID header names and from the read aliases.",
                [nameof(FlowHeaderName)]);
        }

        if (ServiceName is not null
            && (MaxLength is < 8 or > 4096
                || new Validation.CorrelationIdValidator(MaxLength, AllowedSymbols ?? string.Empty).Validate(ServiceName, trust: false) != CorrelationIdProblem.None))
        {
            yield return new ValidationResult(
                $"ServiceName must be a valid correlation ID (1 to MaxLength ASCII letters, digits and AllowedSymbols); '{Validation.CorrelationIdValidator.Sanitize(ServiceName)}' is not.",
                [nameof(ServiceName)]);
        }

        foreach (var alias in ReadAliases)
        {
            if (string.Equals(alias, CausationHeaderName, StringComparison.OrdinalIgnoreCase)
                || string.Equals(alias, MessageIdHeaderName, StringComparison.OrdinalIgnoreCase))
            {
                yield return new ValidationResult(
                    $"Read alias '{alias}' is the causation or message-ID header: it would be read as a correlation ID.",
                    [nameof(ReadAliases)]);
            }
        }

        foreach (var result in ValidateAliases())
        {
            yield return result;
        }
    }

    private IEnumerable<ValidationResult> ValidateAliases()
    {
        string[] own = [HeaderName, CausationHeaderName, MessageIdHeaderName];
        foreach (var alias in WriteAliases)
        {
            if (own.Contains(alias, StringComparer.OrdinalIgnoreCase) || CausationWriteAliases.Contains(alias, StringComparer.OrdinalIgnoreCase))
            {
                yield return new ValidationResult(
                    $"Write alias '{alias}' is already one of our header names or a causation write alias: it would be written twice.",
                    [nameof(WriteAliases)]);
            }
        }

        foreach (var alias in (IEnumerable<string>)[.. CausationReadAliases, .. CausationWriteAliases])
        {
            if (own.Contains(alias, StringComparer.OrdinalIgnoreCase) || ReadAliases.Contains(alias, StringComparer.OrdinalIgnoreCase))
            {
                yield return new ValidationResult(
                    $"Causation alias '{alias}' is one of our header names or a correlation read alias: a correlation ID would be read as a causation ID, or the reverse.",
                    [nameof(CausationReadAliases)]);
            }
        }
    }

    internal CorrelationOptions Clone()
    {
        var copy = new CorrelationOptions
        {
            HeaderName = HeaderName,
            CausationHeaderName = CausationHeaderName,
            MessageIdHeaderName = MessageIdHeaderName,
            ReadRequestIdAlias = ReadRequestIdAlias,
            MaxLength = MaxLength,
            AllowedSymbols = AllowedSymbols,
            InvalidIdPolicy = InvalidIdPolicy,
            MissingIdPolicy = MissingIdPolicy,
            IdFormat = IdFormat,
            Generator = Generator,
            PropagateTraceContext = PropagateTraceContext,
            FlowHeaderName = FlowHeaderName,
            ServiceName = ServiceName,
            MaxDepth = MaxDepth,
            DepthLimitPolicy = DepthLimitPolicy,
            EmitLegacyCorrelationIdAttribute = EmitLegacyCorrelationIdAttribute,
            BridgeBaggage = BridgeBaggage,
        };
        copy.ReadAliases.Clear();
        foreach (var alias in ReadAliases)
        {
            copy.ReadAliases.Add(alias);
        }

        foreach (var alias in WriteAliases)
        {
            copy.WriteAliases.Add(alias);
        }

        foreach (var alias in CausationReadAliases)
        {
            copy.CausationReadAliases.Add(alias);
        }

        foreach (var alias in CausationWriteAliases)
        {
            copy.CausationWriteAliases.Add(alias);
        }

        return copy;
    }
}
