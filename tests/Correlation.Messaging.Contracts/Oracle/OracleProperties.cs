using System.Collections.Concurrent;
using Correlation.Messaging.Propagation;
using CsCheck;
using Microsoft.Extensions.Logging;
using Correlation.Messaging.TestSupport;

namespace Correlation.Messaging.Contracts.Oracle;

/// <summary>Property tests that judge a carrier's extraction with <see cref="WireFormatOracle"/>, shrinking any failure.</summary>
public static class OracleProperties
{
    /// <summary>
    /// Samples <paramref name="gen"/> (CsCheck: a failure is shrunk to a minimal value and reported with its seed;
    /// replay with <c>CsCheck_Seed=&lt;seed&gt;</c>) and, for every value under every policy, extracts it through the library
    /// from the carrier <paramref name="carrierFor"/> builds and demands the oracle's outcome. No log line may carry a
    /// character the document forbids. Then each of <paramref name="requiredKinds"/> must have been seen at least 50 times.
    /// </summary>
    public static void ExtractionMatchesOracle<TCarrier>(
        Gen<WireValue> gen,
        Func<WireValue, TCarrier> carrierFor,
        CorrelationHeaderGetter<TCarrier> getter,
        Action<string> writeLine,
        Func<TCarrier, InboundHeaderValue>? nativeCorrelationId = null,
        long iterations = 10_000,
        params WireKind[] requiredKinds)
    {
        ArgumentNullException.ThrowIfNull(gen);
        ArgumentNullException.ThrowIfNull(carrierFor);
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var propagators = Enum.GetValues<InvalidCorrelationIdPolicy>()
            .Select(p => (Policy: p, Propagator: new CorrelationPropagator(new CorrelationOptions { InvalidIdPolicy = p }, factory)))
            .ToArray();
        var seen = new ConcurrentDictionary<WireKind, int>();

        gen.Sample(
            value =>
            {
                seen.AddOrUpdate(value.Kind, 1, static (_, n) => n + 1);
                var carrier = carrierFor(value);
                foreach (var (policy, propagator) in propagators)
                {
                    var check = new OracleCheck(policy, "extraction");
                    try
                    {
                        var extracted = propagator.Extract(carrier, getter, nativeCorrelationId is null ? default : nativeCorrelationId(carrier));
                        check.Observe(value, extracted.CorrelationId, extracted.Source, onFailurePath: false);
                    }
                    catch (CorrelationIdRejectedException ex)
                    {
                        check.Observe(value, null, null, onFailurePath: true);
                        if (WireFormatOracle.UnsafeCodePoint(ex.Message) is { } bad)
                        {
                            throw new OracleMismatchException($"{value}: the rejection message carries a {bad}");
                        }
                    }

                    check.ThrowIfAnyMismatch();
                }
            },
            writeLine: writeLine,
            iter: iterations,
            print: v => v.ToString());

        writeLine("kinds seen: " + string.Join(", ", seen.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}")));
        var thin = requiredKinds.Where(k => seen.GetValueOrDefault(k) < 50).ToList();
        if (thin.Count > 0)
        {
            throw new OracleMismatchException($"fewer than 50 values of {string.Join(", ", thin)} were generated");
        }

        NothingUnsafeLogged(logs, "extraction");
    }

    /// <summary>Throws when any captured log message or string scope field carries a character the document forbids.</summary>
    public static void NothingUnsafeLogged(CapturingLoggerProvider logs, string label)
    {
        ArgumentNullException.ThrowIfNull(logs);
        foreach (var log in logs.Logs)
        {
            if (WireFormatOracle.UnsafeCodePoint(log.Message) is { } bad)
            {
                throw new OracleMismatchException($"{label}: a {bad} in the log line \"{WireValue.Escape(log.Message)}\"");
            }

            foreach (var (key, value) in log.ScopeFields)
            {
                if (value is string text && WireFormatOracle.UnsafeCodePoint(text) is { } badField)
                {
                    throw new OracleMismatchException($"{label}: a {badField} in the scope field {key}");
                }
            }
        }
    }
}
