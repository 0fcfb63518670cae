using System.Diagnostics.Metrics;

namespace Correlation.Messaging.Logging;

/// <summary>
/// The library's <see cref="Meter"/>: counts inbound IDs by outcome so an operator can see how much traffic arrives
/// without an ID, with an invalid one, or is rejected.
/// </summary>
internal static class CorrelationMetrics
{
    public const string MeterName = "Correlation.Messaging";

    private static readonly Meter Meter = new(MeterName, typeof(CorrelationMetrics).Assembly.GetName().Version?.ToString());

    /// <summary>Inbound extractions, tagged <c>outcome</c> = accepted | generated | replaced | rejected | trusted.</summary>
    public static readonly Counter<long> Inbound = Meter.CreateCounter<long>(
        "correlation.inbound", unit: "{message}", description: "Inbound messages and requests by correlation ID outcome.");

    /// <summary>IDs generated, tagged <c>reason</c> = missing | invalid | outgoing.</summary>
    public static readonly Counter<long> Generated = Meter.CreateCounter<long>(
        "correlation.generated", unit: "{id}", description: "Correlation IDs generated because none, or an invalid one, was available.");

    /// <summary>Inbound IDs that were invalid, tagged <c>problem</c> and <c>policy</c>.</summary>
    public static readonly Counter<long> Invalid = Meter.CreateCounter<long>(
        "correlation.invalid", unit: "{id}", description: "Inbound correlation IDs that failed validation, by problem and applied policy.");

    /// <summary>Times our metadata could not be written in full (for example, the SQS attribute budget), tagged <c>broker</c> and <c>reason</c>.</summary>
    public static readonly Counter<long> Degraded = Meter.CreateCounter<long>(
        "correlation.propagation.degraded", unit: "{message}", description: "Outgoing messages whose correlation metadata could not be written in full.");

    /// <summary>Inbound flow metadata that was malformed, tagged <c>problem</c> and <c>policy</c>.</summary>
    public static readonly Counter<long> FlowInvalid = Meter.CreateCounter<long>(
        "correlation.flow.invalid", unit: "{message}", description: "Inbound flow metadata (depth, origin, start) that was malformed, by problem and applied policy.");

    /// <summary>Inbound messages deeper than <c>MaxDepth</c> (the loop guard), tagged <c>policy</c>.</summary>
    public static readonly Counter<long> FlowDepthExceeded = Meter.CreateCounter<long>(
        "correlation.flow.depth_exceeded", unit: "{message}", description: "Inbound messages and requests whose flow depth was above MaxDepth, by applied policy.");

    /// <summary>Stored correlation capsules that could not be read, tagged <c>problem</c> (a <see cref="CorrelationCapsuleProblem"/> name).</summary>
    public static readonly Counter<long> CapsuleInvalid = Meter.CreateCounter<long>(
        "correlation.capsule.invalid", unit: "{capsule}", description: "Stored correlation capsules that were truncated, malformed, oversized or of another version.");
}
