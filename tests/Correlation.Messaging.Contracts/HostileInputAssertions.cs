using Microsoft.Extensions.Logging;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;
using Shouldly;

namespace Correlation.Messaging.Contracts;

/// <summary>The checks every hostile-input run makes, written once.</summary>
public static class HostileInputAssertions
{
    /// <summary>
    /// Asserts that nothing unsafe reached a log line or an ambient ID: no control, format or separator character,
    /// no lone surrogate.
    /// </summary>
    public static void NothingUnsafeLogged(CapturingLoggerProvider logs, int seed)
    {
        foreach (var log in logs.Logs)
        {
            Oracle.WireFormatOracle.UnsafeCodePoint(log.Message).ShouldBeNull($"seed {seed}: unsafe character in log line \"{Oracle.WireValue.Escape(log.Message)}\"");
            foreach (var (key, value) in log.ScopeFields)
            {
                if (value is string text)
                {
                    Oracle.WireFormatOracle.UnsafeCodePoint(text).ShouldBeNull($"seed {seed}: unsafe character in scope field {key}");
                }
            }
        }
    }

    /// <summary>Asserts that an ID that reached a handler or an outgoing header is safe and within the length limit.</summary>
    public static void IsSafeId(string? id, int seed, HostileValue input, int maxLength = 128)
    {
        id.ShouldNotBeNullOrEmpty($"seed {seed}: no ID for {input}");
        id.Length.ShouldBeLessThanOrEqualTo(maxLength, $"seed {seed}: over-long ID for {input}");
        Oracle.WireFormatOracle.UnsafeCodePoint(id).ShouldBeNull($"seed {seed}: unsafe ID for {input}");
    }

    /// <summary>
    /// Runs every value through a propagator's extraction under each policy, asserting only that the outcome is safe.
    /// Superseded by <see cref="Oracle.OracleProperties.ExtractionMatchesOracle{TCarrier}"/>, which demands the exact outcome.
    /// </summary>
    public static void ExtractionKeepsPromises<TCarrier>(
        IEnumerable<HostileValue> values,
        int seed,
        Func<HostileValue, TCarrier> carrierFor,
        CorrelationHeaderGetter<TCarrier> getter)
    {
        var logs = new CapturingLoggerProvider();
        using var factory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Trace));
        var propagators = Enum.GetValues<InvalidCorrelationIdPolicy>().Select(p => (p, new CorrelationPropagator(new CorrelationOptions { InvalidIdPolicy = p }, factory))).ToArray();

        var count = 0;
        foreach (var value in values)
        {
            count++;
            var carrier = carrierFor(value);
            foreach (var (policy, propagator) in propagators)
            {
                try
                {
                    var extracted = propagator.Extract(carrier, getter);
                    IsSafeId(extracted.CorrelationId, seed, value);
                }
                catch (CorrelationIdRejectedException ex)
                {
                    policy.ShouldBe(InvalidCorrelationIdPolicy.Reject, $"seed {seed}: rejected under {policy}: {value}");
                    Oracle.WireFormatOracle.UnsafeCodePoint(ex.Message).ShouldBeNull($"seed {seed}: unsafe exception message");
                }
            }
        }

        count.ShouldBeGreaterThan(0);
        NothingUnsafeLogged(logs, seed);
    }
}
