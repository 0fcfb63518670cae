using Correlation.Messaging.DependencyInjection;
using Correlation.Messaging.Flow.Internal;
using Correlation.Messaging.Generation;
using Correlation.Messaging.Generation.Internal;
using Correlation.Messaging.Internal;
using Correlation.Messaging.Logging;
using Correlation.Messaging.Propagation.Internal;
using Correlation.Messaging.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Correlation.Messaging.Propagation;

/// <summary>
/// Writes correlation metadata to outbound carriers and reads it from inbound carriers, applying the header names,
/// read precedence, validation and policies of <see cref="CorrelationOptions"/>. Every broker adapter is a thin layer
/// over this type; it is the only place where those rules live.
/// </summary>
/// <remarks>
/// <para>Read precedence: <see cref="CorrelationOptions.HeaderName"/>, then the broker's native property (for example
/// the AMQP <c>correlation_id</c>), then <see cref="CorrelationOptions.ReadAliases"/> in order, then <c>X-Request-ID</c>
/// when enabled, then (with <see cref="CorrelationOptions.BridgeBaggage"/>) the <c>correlation_id</c> entry of the W3C
/// <c>baggage</c> header. The first present value decides; if it is invalid, the invalid-ID policy applies to it.</para>
/// <para>Instances are thread-safe. Register one per application with <c>services.AddCorrelation()</c>, or create one
/// directly where there is no dependency injection.</para>
/// </remarks>
public sealed class CorrelationPropagator
{
    private static readonly string[] ProblemTags = Enum.GetNames<CorrelationIdProblem>();
    private static readonly string[] PolicyTags = Enum.GetNames<InvalidCorrelationIdPolicy>();

    private readonly CorrelationIdValidator _validator;
    private readonly ICorrelationIdGenerator _generator;
    private readonly string[] _aliases;
    private readonly InvalidCorrelationIdPolicy _invalidPolicy;
    private readonly MissingCorrelationIdPolicy _missingPolicy;
    private readonly bool _bridgeBaggage;
    private readonly string[] _writeAliases;
    private readonly string[] _causationReadAliases;
    private readonly string[] _causationWriteAliases;
    private readonly ILogger _logger;
    private readonly OriginCache _origins = new();

    /// <summary>Initializes a new instance of the <see cref="CorrelationPropagator"/> class from registered options (used by <c>AddCorrelation</c>).</summary>
    /// <param name="options">The options.</param>
    /// <param name="loggerFactory">The logger factory used for log events and logging scopes, or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    internal CorrelationPropagator(IOptions<CorrelationOptions> options, ILoggerFactory? loggerFactory)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value, loggerFactory)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="CorrelationPropagator"/> class.</summary>
    /// <param name="options">The options; they are copied, so later changes have no effect.</param>
    /// <param name="loggerFactory">The logger factory used for log events and logging scopes, or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException"><paramref name="options"/> are invalid.</exception>
    public CorrelationPropagator(CorrelationOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = CorrelationOptionsValidator.Instance.Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Microsoft.Extensions.Options.Options.DefaultName, typeof(CorrelationOptions), validation.Failures);
        }

        Options = options.Clone();
        _validator = new CorrelationIdValidator(options.MaxLength, options.AllowedSymbols);
        _generator = options.Generator ?? CorrelationIdGenerators.For(options.IdFormat);
        _aliases = [.. options.ReadAliases.Where(a => !string.Equals(a, options.HeaderName, StringComparison.OrdinalIgnoreCase)),
            .. options.ReadRequestIdAlias ? [CorrelationHeaders.RequestId] : Array.Empty<string>()];
        _invalidPolicy = options.InvalidIdPolicy;
        _missingPolicy = options.MissingIdPolicy;
        _bridgeBaggage = options.BridgeBaggage;
        _writeAliases = [.. options.WriteAliases];
        _causationReadAliases = [.. options.CausationReadAliases];
        _causationWriteAliases = [.. options.CausationWriteAliases];
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(Log.CategoryName);
        ServiceName = options.ServiceName ?? ServiceNames.Default(options.MaxLength, options.AllowedSymbols ?? string.Empty);
    }

    /// <summary>Gets a propagator with default options and no logging, for code without dependency injection.</summary>
    public static CorrelationPropagator Default { get; } = new(new CorrelationOptions());

    /// <summary>Gets a copy of the options this propagator applies. Changing it has no effect.</summary>
    public CorrelationOptions Options { get; }

    /// <summary>Gets the canonical correlation header name.</summary>
    public string HeaderName => Options.HeaderName;

    /// <summary>Gets the causation header name.</summary>
    public string CausationHeaderName => Options.CausationHeaderName;

    /// <summary>Gets the per-message ID header name.</summary>
    public string MessageIdHeaderName => Options.MessageIdHeaderName;

    /// <summary>Gets the flow metadata header name.</summary>
    internal string FlowHeaderName => Options.FlowHeaderName;

    /// <summary>Gets the origin this service writes for the flows it starts: <see cref="CorrelationOptions.ServiceName"/> or its default.</summary>
    internal string ServiceName { get; }

    /// <summary>Gets the alias header names read after the canonical name and the native property, in order.</summary>
    public IReadOnlyList<string> Aliases => _aliases;

    /// <summary>Generates a new correlation ID with the configured generator.</summary>
    /// <returns>The new ID.</returns>
    public string NewId() => _generator.NewId();

    /// <summary>
    /// Generates a new ID that is never derived from the ambient trace: for a request whose trace context came from a
    /// source the caller does not trust (the <see cref="CorrelationIdFormat.W3CTraceId"/> generator reads <c>Activity.Current</c>).
    /// </summary>
    /// <returns>The new ID.</returns>
    internal string NewIdIgnoringAmbientTrace() => _generator is TraceIdGenerator ? TraceIdGenerator.NewRandomId() : _generator.NewId();

    /// <summary>
    /// Returns the ambient context for an outgoing message, or, where there is none (a background job, a timer),
    /// a new context with a generated ID, logged at debug level and counted.
    /// </summary>
    /// <returns>The context whose metadata the outgoing message should carry.</returns>
    public CorrelationContext GetOutgoingContext()
    {
        var current = AmbientCorrelation.Current;
        if (current is not null)
        {
            return current;
        }

        var id = _generator.NewId();
        Log.OutgoingCorrelationIdGenerated(_logger, id);
        CorrelationMetrics.Generated.Add(1, new KeyValuePair<string, object?>("reason", "outgoing"));
        return new CorrelationContext(id, null, null, CorrelationIdSource.Generated, FlowMetadata.StartingNow(ServiceName));
    }

    /// <summary>The context of a new flow linked to <paramref name="previous"/> (see <see cref="CorrelationContext.StartNewFlow"/>).</summary>
    /// <param name="previous">The ambient context, or <see langword="null"/>.</param>
    /// <returns>The new flow's context.</returns>
    internal CorrelationContext NewFlow(CorrelationContext? previous)
    {
        var id = _generator.NewId();
        var previousId = previous is not null && _validator.Validate(previous.CorrelationId, trust: false) == CorrelationIdProblem.None
            ? previous.CorrelationId
            : null;
        Log.NewFlowStarted(_logger, id, previousId);
        CorrelationMetrics.Generated.Add(1, new KeyValuePair<string, object?>("reason", "new_flow"));
        return new CorrelationContext(id, null, null, CorrelationIdSource.Generated, FlowMetadata.StartingNow(ServiceName, previousId));
    }

    /// <summary>
    /// Returns the context an outgoing carrier should carry: the ambient one; or, where nothing is ambient (an outbox
    /// relay, a scheduler), a valid correlation ID the carrier already holds (any spelling), with its valid causation ID;
    /// otherwise a generated one (see <see cref="GetOutgoingContext()"/>).
    /// </summary>
    /// <remarks>
    /// The kept causation ID is returned as the context's <see cref="CorrelationContext.MessageId"/>, so that
    /// <see cref="Inject{TCarrier}"/> writes it back as the causation header of the relayed message.
    /// </remarks>
    internal CorrelationContext GetOutgoingContext<TCarrier>(TCarrier carrier, CorrelationHeaderGetter<TCarrier> getter)
    {
        var current = AmbientCorrelation.Current;
        if (current is not null)
        {
            return current;
        }

        var value = getter(carrier, Options.HeaderName);
        if (value.IsPresent && Validate(value, trust: _invalidPolicy == InvalidCorrelationIdPolicy.Trust, out var existing, out _) == CorrelationIdProblem.None)
        {
            var causationId = ReadOptional(carrier, getter, Options.CausationHeaderName);
            Log.ExistingCorrelationIdKept(_logger, existing!);
            return new CorrelationContext(existing!, null, causationId, CorrelationIdSource.Inbound, ExistingFlow(carrier, getter));
        }

        return GetOutgoingContext();
    }

    /// <summary>
    /// Writes the correlation header, and the causation header when <paramref name="context"/> is handling a message,
    /// to <paramref name="carrier"/>.
    /// </summary>
    /// <typeparam name="TCarrier">The carrier type.</typeparam>
    /// <param name="context">The context to write.</param>
    /// <param name="carrier">The outbound carrier.</param>
    /// <param name="setter">Writes one header, replacing an existing one. Pass a static lambda.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> or <paramref name="setter"/> is <see langword="null"/>.</exception>
    public void Inject<TCarrier>(CorrelationContext context, TCarrier carrier, CorrelationHeaderSetter<TCarrier> setter) =>
        InjectCore(context, carrier, setter, canonicalOnly: false);

    /// <summary>
    /// Writes the correlation and causation headers under their canonical names only, never the write aliases nor
    /// <c>baggage</c>: SQS keeps to its attribute budget without them.
    /// </summary>
    internal void InjectCanonical<TCarrier>(CorrelationContext context, TCarrier carrier, CorrelationHeaderSetter<TCarrier> setter) =>
        InjectCore(context, carrier, setter, canonicalOnly: true);

    private void InjectCore<TCarrier>(CorrelationContext context, TCarrier carrier, CorrelationHeaderSetter<TCarrier> setter, bool canonicalOnly)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(setter);

        setter(carrier, Options.HeaderName, new OutboundHeaderValue(context, isMessageId: false));
        if (context.MessageId is not null)
        {
            setter(carrier, Options.CausationHeaderName, new OutboundHeaderValue(context, isMessageId: true));
        }

        setter(carrier, Options.FlowHeaderName, new OutboundHeaderValue(context.OutgoingFlow(ServiceName)));

        if (canonicalOnly)
        {
            return;
        }

        foreach (var alias in _writeAliases)
        {
            setter(carrier, alias, new OutboundHeaderValue(context, isMessageId: false));
        }

        if (context.MessageId is not null)
        {
            foreach (var alias in _causationWriteAliases)
            {
                setter(carrier, alias, new OutboundHeaderValue(context, isMessageId: true));
            }
        }

        if (_bridgeBaggage && BaggageBridge.Compose(context.CorrelationId) is { } baggage)
        {
            setter(carrier, BaggageBridge.HeaderName, new OutboundHeaderValue(baggage));
        }
    }

    /// <summary>Returns the flow header value that messages sent from <paramref name="context"/> carry (cached on the context).</summary>
    /// <param name="context">The context.</param>
    /// <returns>The value.</returns>
    internal OutboundHeaderValue FlowValue(CorrelationContext context) => new(context.OutgoingFlow(ServiceName));

    /// <summary>
    /// Reads correlation metadata from <paramref name="carrier"/> and applies validation and the configured policies.
    /// </summary>
    /// <typeparam name="TCarrier">The carrier type.</typeparam>
    /// <param name="carrier">The inbound carrier.</param>
    /// <param name="getter">Reads one header. Pass a static lambda.</param>
    /// <param name="nativeCorrelationId">
    /// The broker's native correlation property (the AMQP <c>correlation_id</c>), read after the canonical header and before the aliases.
    /// </param>
    /// <param name="readMessageIdHeader">Whether to read <see cref="CorrelationOptions.MessageIdHeaderName"/> (for brokers without native message IDs).</param>
    /// <returns>The correlation ID to use, with its source.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="getter"/> is <see langword="null"/>.</exception>
    /// <exception cref="CorrelationIdRejectedException">The value is invalid or missing and the policy is to reject it.</exception>
    public ExtractedCorrelation Extract<TCarrier>(
        TCarrier carrier,
        CorrelationHeaderGetter<TCarrier> getter,
        InboundHeaderValue nativeCorrelationId = default,
        bool readMessageIdHeader = false)
    {
        ArgumentNullException.ThrowIfNull(getter);

        var name = Options.HeaderName;
        var value = getter(carrier, name);
        if (!value.IsPresent && nativeCorrelationId.IsPresent)
        {
            name = CorrelationHeaders.NativePropertyName;
            value = nativeCorrelationId;
        }

        for (var i = 0; !value.IsPresent && i < _aliases.Length; i++)
        {
            name = _aliases[i];
            value = getter(carrier, name);
        }

        if (!value.IsPresent && _bridgeBaggage)
        {
            name = BaggageBridge.SourceName;
            value = BaggageBridge.Read(getter(carrier, BaggageBridge.HeaderName));
        }

        var causationId = ReadCausation(carrier, getter);
        var messageId = readMessageIdHeader ? ReadOptional(carrier, getter, Options.MessageIdHeaderName) : null;
        var flow = ReadFlow(getter(carrier, Options.FlowHeaderName));

        if (value.HadDuplicates)
        {
            Log.DuplicateHeader(_logger, name);
        }

        var problem = Validate(value, trust: _invalidPolicy == InvalidCorrelationIdPolicy.Trust, out var correlationId, out var trusted);
        if (problem == CorrelationIdProblem.None)
        {
            if (trusted)
            {
                Log.CorrelationIdTrusted(_logger, name);
            }

            CorrelationMetrics.Inbound.Add(1, new KeyValuePair<string, object?>("outcome", trusted ? "trusted" : "accepted"));
            return new ExtractedCorrelation(correlationId!, causationId, messageId, CorrelationIdSource.Inbound, problem, flow);
        }

        if (problem == CorrelationIdProblem.Missing)
        {
            if (_missingPolicy == MissingCorrelationIdPolicy.Reject)
            {
                Log.InvalidCorrelationIdRejected(_logger, null, problem, null);
                CountRejected(problem);
                throw new CorrelationIdRejectedException(problem, null, null);
            }

            var generated = _generator.NewId();
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                using var inNewScope = _logger.BeginScope(new CorrelationLogScope(new CorrelationContext(generated, causationId, messageId, CorrelationIdSource.Generated, flow)));
                Log.CorrelationIdGenerated(_logger, generated);
            }

            CorrelationMetrics.Generated.Add(1, new KeyValuePair<string, object?>("reason", "missing"));
            CorrelationMetrics.Inbound.Add(1, new KeyValuePair<string, object?>("outcome", "generated"));
            return new ExtractedCorrelation(generated, causationId, messageId, CorrelationIdSource.Generated, problem, flow);
        }

        var sanitized = Sanitize(value);
        if (_invalidPolicy == InvalidCorrelationIdPolicy.Reject)
        {
            Log.InvalidCorrelationIdRejected(_logger, name, problem, sanitized);
            CountRejected(problem);
            throw new CorrelationIdRejectedException(problem, name, sanitized);
        }

        var replacement = _generator.NewId();
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            // Inside the new ID's logging scope, so a log reader attaches the warning to the flow it concerns.
            using var inNewScope = _logger.BeginScope(new CorrelationLogScope(new CorrelationContext(replacement, causationId, messageId, CorrelationIdSource.Replaced, flow)));
            Log.InvalidCorrelationIdReplaced(_logger, name, problem, replacement, sanitized);
        }

        CorrelationMetrics.Generated.Add(1, new KeyValuePair<string, object?>("reason", "invalid"));
        CorrelationMetrics.Invalid.Add(
            1,
            new KeyValuePair<string, object?>("problem", ProblemTags[(int)problem]),
            new KeyValuePair<string, object?>("policy", PolicyTags[(int)_invalidPolicy]));
        CorrelationMetrics.Inbound.Add(1, new KeyValuePair<string, object?>("outcome", "replaced"));
        return new ExtractedCorrelation(replacement, causationId, messageId, CorrelationIdSource.Replaced, problem, flow);
    }

    /// <summary>
    /// Makes <paramref name="context"/> ambient and opens a logging scope with its IDs, until the returned scope is disposed.
    /// </summary>
    /// <param name="context">The context.</param>
    /// <returns>The scope.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is <see langword="null"/>.</exception>
    public CorrelationScope BeginScope(CorrelationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var logScope = _logger.BeginScope(context.LogScope);
        return CorrelationScope.Enter(context, logScope);
    }

    /// <summary>
    /// Makes the extracted correlation ambient, for handling the message <paramref name="messageId"/>, and opens a logging scope.
    /// </summary>
    /// <param name="extracted">The result of <see cref="Extract{TCarrier}"/>.</param>
    /// <param name="messageId">The ID of the message being handled (downstream messages carry it as their causation ID).
    /// When <see langword="null"/>, the extracted message ID header is used.</param>
    /// <returns>The scope.</returns>
    public CorrelationScope BeginScope(in ExtractedCorrelation extracted, string? messageId) => BeginScope(ContextFor(extracted, messageId));

    /// <summary>
    /// Reads, validates and makes ambient the correlation metadata of an inbound message in one call.
    /// </summary>
    /// <typeparam name="TCarrier">The carrier type.</typeparam>
    /// <param name="carrier">The inbound carrier.</param>
    /// <param name="getter">Reads one header. Pass a static lambda.</param>
    /// <param name="messageId">The ID of the message being handled, or <see langword="null"/> to read the message ID header.</param>
    /// <param name="nativeCorrelationId">The broker's native correlation property, if any.</param>
    /// <returns>The scope.</returns>
    /// <exception cref="CorrelationIdRejectedException">The value is invalid or missing and the policy is to reject it.</exception>
    public CorrelationScope BeginConsumeScope<TCarrier>(
        TCarrier carrier,
        CorrelationHeaderGetter<TCarrier> getter,
        string? messageId,
        InboundHeaderValue nativeCorrelationId = default)
    {
        var extracted = Extract(carrier, getter, nativeCorrelationId, readMessageIdHeader: messageId is null);
        return BeginScope(extracted, messageId);
    }

    internal ILogger Logger => _logger;

    /// <summary>Returns whether <paramref name="name"/> is a spelling of one of our three header names (the one set of "our names").</summary>
    /// <param name="name">A header name.</param>
    /// <returns><see langword="true"/> for any case variant of the correlation, causation or message-ID header name.</returns>
    internal bool IsOwnHeaderName(string name) =>
        HeaderLookup.IsSpellingOf(name, Options.HeaderName)
        || HeaderLookup.IsSpellingOf(name, Options.CausationHeaderName)
        || HeaderLookup.IsSpellingOf(name, Options.MessageIdHeaderName)
        || HeaderLookup.IsSpellingOf(name, Options.FlowHeaderName);

    /// <summary>The context of a consumed message: the extracted IDs, and <paramref name="messageId"/> (or the extracted message ID header), made safe to log.</summary>
    /// <param name="extracted">The result of <see cref="Extract{TCarrier}"/>.</param>
    /// <param name="messageId">The handled message's ID, or <see langword="null"/> for the extracted one.</param>
    /// <returns>The context.</returns>
    internal CorrelationContext ContextFor(in ExtractedCorrelation extracted, string? messageId)
    {
        var id = extracted.CorrelationId ?? throw new ArgumentException("The extraction result is empty.", nameof(extracted));
        messageId ??= extracted.MessageId;
        if (messageId is not null && !CorrelationIdValidator.IsSafe(messageId))
        {
            messageId = CorrelationIdValidator.Sanitize(messageId);
        }

        return new CorrelationContext(id, extracted.CausationId, messageId, extracted.Source, extracted.Flow.IsSet ? extracted.Flow : FlowMetadata.StartingNow(ServiceName));
    }

    /// <summary>
    /// Reads the inbound flow header by the wire format's rules: absent starts the flow here; malformed gets the
    /// invalid-ID policy (restart here, or reject); deeper than <see cref="CorrelationOptions.MaxDepth"/> gets the depth-limit policy.
    /// </summary>
    /// <param name="value">The flow header as the carrier holds it.</param>
    /// <returns>The flow of the inbound message, depth as carried.</returns>
    /// <exception cref="CorrelationIdRejectedException">The header is malformed or too deep and the policy is to reject.</exception>
    internal FlowMetadata ReadFlow(InboundHeaderValue value)
    {
        if (!value.IsPresent)
        {
            return FlowMetadata.StartingNow(ServiceName);
        }

        var problem = ParseFlow(value, out var flow);
        if (problem != FlowProblem.None)
        {
            var sanitized = Sanitize(value);
            var problemTag = ProblemName(problem);
            if (_invalidPolicy == InvalidCorrelationIdPolicy.Reject)
            {
                Log.InvalidCorrelationIdRejected(_logger, Options.FlowHeaderName, CorrelationIdProblem.InvalidFlowMetadata, sanitized);
                CorrelationMetrics.FlowInvalid.Add(1, new KeyValuePair<string, object?>("problem", problemTag), new KeyValuePair<string, object?>("policy", "Reject"));
                throw new CorrelationIdRejectedException(CorrelationIdProblem.InvalidFlowMetadata, Options.FlowHeaderName, sanitized);
            }

            Log.InvalidFlowMetadataReplaced(_logger, Options.FlowHeaderName, problemTag, sanitized);
            CorrelationMetrics.FlowInvalid.Add(1, new KeyValuePair<string, object?>("problem", problemTag), new KeyValuePair<string, object?>("policy", PolicyTags[(int)_invalidPolicy]));
            return FlowMetadata.StartingNow(ServiceName);
        }

        if (flow.Depth > Options.MaxDepth)
        {
            var policy = Options.DepthLimitPolicy;
            Log.FlowDepthLimitExceeded(_logger, flow.Depth, Options.MaxDepth, policy);
            CorrelationMetrics.FlowDepthExceeded.Add(1, new KeyValuePair<string, object?>("policy", policy == FlowDepthLimitPolicy.Reject ? "Reject" : "LogAndContinue"));
            if (policy == FlowDepthLimitPolicy.Reject)
            {
                throw new CorrelationIdRejectedException(CorrelationIdProblem.FlowDepthExceeded, Options.FlowHeaderName, Sanitize(value));
            }
        }

        return flow;
    }

    private static string ProblemName(FlowProblem problem) => problem switch
    {
        FlowProblem.Null => "Null",
        FlowProblem.WrongType => "WrongType",
        FlowProblem.InvalidUtf8 => "InvalidUtf8",
        FlowProblem.Empty => "Empty",
        FlowProblem.TooLong => "TooLong",
        FlowProblem.UnsafeCharacter => "UnsafeCharacter",
        FlowProblem.Depth => "Depth",
        FlowProblem.Origin => "Origin",
        FlowProblem.Start => "Start",
        FlowProblem.Previous => "Previous",
        _ => "Malformed",
    };

    private FlowProblem ParseFlow(InboundHeaderValue value, out FlowMetadata flow)
    {
        flow = default;
        var now = FlowMetadata.ApproximateNowUnixMilliseconds();
        return value.Kind switch
        {
            InboundHeaderValueKind.Text => FlowMetadata.TryParse(value.Text, _validator, now, _origins, out flow),
            InboundHeaderValueKind.Utf8 => FlowMetadata.TryParse(value.Utf8.Span, _validator, now, _origins, out flow),
            InboundHeaderValueKind.Null => FlowProblem.Null,
            _ => FlowProblem.WrongType,
        };
    }

    /// <summary>The flow an outgoing carrier already holds, for a relay outside any scope: kept as it is when valid (so the relayed message carries it unchanged), else a flow starting here.</summary>
    internal FlowMetadata ExistingFlow<TCarrier>(TCarrier carrier, CorrelationHeaderGetter<TCarrier> getter)
    {
        var value = getter(carrier, Options.FlowHeaderName);
        if (value.IsPresent && ParseFlow(value, out var flow) == FlowProblem.None)
        {
            // The context is one hop before the message, so that writing it back gives the same depth.
            return flow with { Depth = Math.Max(0, flow.Depth - 1) };
        }

        return FlowMetadata.StartingNow(ServiceName);
    }

    private static string Sanitize(InboundHeaderValue value) => value.Kind switch
    {
        InboundHeaderValueKind.Text => CorrelationIdValidator.Sanitize(value.Text),
        InboundHeaderValueKind.Utf8 => CorrelationIdValidator.Sanitize(value.Utf8.Span),
        InboundHeaderValueKind.WrongType => "<" + CorrelationIdValidator.Sanitize(value.WireType) + ">",
        _ => "<null>",
    };

    private static void CountRejected(CorrelationIdProblem problem)
    {
        CorrelationMetrics.Invalid.Add(
            1,
            new KeyValuePair<string, object?>("problem", ProblemTags[(int)problem]),
            new KeyValuePair<string, object?>("policy", "Reject"));
        CorrelationMetrics.Inbound.Add(1, new KeyValuePair<string, object?>("outcome", "rejected"));
    }

    private CorrelationIdProblem Validate(InboundHeaderValue value, bool trust, out string? id, out bool trusted)
    {
        id = null;
        trusted = false;
        CorrelationIdProblem problem;
        switch (value.Kind)
        {
            case InboundHeaderValueKind.Missing:
                return CorrelationIdProblem.Missing;
            case InboundHeaderValueKind.Null:
                return CorrelationIdProblem.Null;
            case InboundHeaderValueKind.WrongType:
                return CorrelationIdProblem.WrongType;
            case InboundHeaderValueKind.Text:
                problem = _validator.Validate(value.Text, trust: false);
                if (problem == CorrelationIdProblem.DisallowedCharacter && trust)
                {
                    problem = _validator.Validate(value.Text, trust: true);
                    trusted = problem == CorrelationIdProblem.None;
                }

                id = problem == CorrelationIdProblem.None ? value.Text : null;
                return problem;
            default:
                problem = _validator.Validate(value.Utf8.Span, trust: false, out id);
                if (problem == CorrelationIdProblem.DisallowedCharacter && trust)
                {
                    problem = _validator.Validate(value.Utf8.Span, trust: true, out id);
                    trusted = problem == CorrelationIdProblem.None;
                }

                return problem;
        }
    }

    /// <summary>The causation ID: <see cref="CorrelationOptions.CausationHeaderName"/>, else the first present causation read alias.</summary>
    private string? ReadCausation<TCarrier>(TCarrier carrier, CorrelationHeaderGetter<TCarrier> getter)
    {
        var causationId = ReadOptional(carrier, getter, Options.CausationHeaderName);
        for (var i = 0; causationId is null && i < _causationReadAliases.Length; i++)
        {
            causationId = ReadOptional(carrier, getter, _causationReadAliases[i]);
        }

        return causationId;
    }

    private string? ReadOptional<TCarrier>(TCarrier carrier, CorrelationHeaderGetter<TCarrier> getter, string name)
    {
        var value = getter(carrier, name);
        if (!value.IsPresent)
        {
            return null;
        }

        // Message and causation IDs are opaque: safe text of bounded length, not the correlation ID's character set.
        string? id = null;
        var problem = value.Kind switch
        {
            InboundHeaderValueKind.Text => CorrelationIdValidator.ValidateMessageId(value.Text),
            InboundHeaderValueKind.Utf8 => CorrelationIdValidator.ValidateMessageId(value.Utf8.Span, out id),
            InboundHeaderValueKind.Null => CorrelationIdProblem.Null,
            _ => CorrelationIdProblem.WrongType,
        };
        if (problem != CorrelationIdProblem.None)
        {
            Log.InvalidCausationIdIgnored(_logger, name, problem, Sanitize(value));
            return null;
        }

        return id ?? value.Text;
    }
}
