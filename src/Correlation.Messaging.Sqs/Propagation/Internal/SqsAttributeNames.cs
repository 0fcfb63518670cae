using System.Runtime.CompilerServices;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Tracing;
using Correlation.Messaging.Validation;

namespace Correlation.Messaging.Sqs.Propagation.Internal;

/// <summary>SQS message-attribute naming rules, and the names derived once per propagator.</summary>
internal sealed class SqsAttributeNames
{
    private static readonly ConditionalWeakTable<CorrelationPropagator, SqsAttributeNames> Cache = new();

    private SqsAttributeNames(CorrelationPropagator propagator)
    {
        HeaderName = propagator.HeaderName;
        CausationHeaderName = propagator.CausationHeaderName;
        FlowHeaderName = propagator.FlowHeaderName;
        DirectNamesValid = IsValid(HeaderName) && IsValid(CausationHeaderName) && IsValid(FlowHeaderName);
        PropagateTraceContext = propagator.Options.PropagateTraceContext;
        Validator = new CorrelationIdValidator(propagator.Options.MaxLength, propagator.Options.AllowedSymbols);
        ReceiveNames = new[] { HeaderName, CausationHeaderName, FlowHeaderName, SqsCorrelationAttributes.PackedAttributeName }
            .Concat(PropagateTraceContext ? [TraceContextPropagation.TraceParentHeaderName, TraceContextPropagation.TraceStateHeaderName] : [])
            .Concat(propagator.Aliases)
            .Where(IsValid)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }

    public string HeaderName { get; }

    public string CausationHeaderName { get; }

    public string FlowHeaderName { get; }

    /// <summary>Gets a value indicating whether the configured header names are legal SQS attribute names.</summary>
    public bool DirectNamesValid { get; }

    /// <summary>Gets the validator that judges an ID an outgoing message already carries.</summary>
    public CorrelationIdValidator Validator { get; }

    /// <summary>Gets a value indicating whether the W3C trace context travels too (<see cref="CorrelationOptions.PropagateTraceContext"/>).</summary>
    public bool PropagateTraceContext { get; }

    /// <summary>Gets the attribute names every receive asks for: ours, the packed one, the trace context when it travels, and the read aliases.</summary>
    public string[] ReceiveNames { get; }

    public static SqsAttributeNames For(CorrelationPropagator propagator) => Cache.GetValue(propagator, static p => new SqsAttributeNames(p));

    /// <summary>Returns whether <paramref name="name"/> is any spelling of one of our attributes (replaced when we write).</summary>
    public bool IsOurs(string name) =>
        string.Equals(name, HeaderName, StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, CausationHeaderName, StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, FlowHeaderName, StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, SqsCorrelationAttributes.PackedAttributeName, StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns whether <paramref name="name"/> is <c>traceparent</c> or <c>tracestate</c>: ours only while a trace context is written.</summary>
    public static bool IsTraceName(string name) =>
        string.Equals(name, TraceContextPropagation.TraceParentHeaderName, StringComparison.Ordinal)
        || string.Equals(name, TraceContextPropagation.TraceStateHeaderName, StringComparison.Ordinal);

    /// <summary>
    /// SQS rules: 1 to 256 characters from <c>A-Z a-z 0-9 _ - .</c>; no leading, trailing or doubled period;
    /// no <c>AWS.</c> or <c>Amazon.</c> prefix (any case).
    /// </summary>
    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 256 || name[0] == '.' || name[^1] == '.')
        {
            return false;
        }

        if (name.StartsWith("AWS.", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Amazon.", StringComparison.OrdinalIgnoreCase)
            || name.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
