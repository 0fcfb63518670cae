using System.Globalization;
using System.Text;

namespace Correlation.Messaging.Contracts.Oracle;

/// <summary>
/// Compares what a broker (or a carrier) did with each value to the oracle's verdict, and keeps the tallies a run needs
/// to prove it was not thinned: how many values of each kind were kept, replaced and rejected.
/// </summary>
public sealed class OracleCheck
{
    private readonly WireFormatOracle _oracle;
    private readonly InvalidCorrelationIdPolicy _policy;
    private readonly string _label;
    private readonly List<string> _mismatches = [];
    private readonly Dictionary<(WireKind, ExpectedOutcome), int> _tally = [];
    private readonly HashSet<string> _replacements = new(StringComparer.Ordinal);

    /// <summary>Initializes a check of one run under <paramref name="policy"/>; <paramref name="label"/> names the broker and the seed.</summary>
    public OracleCheck(InvalidCorrelationIdPolicy policy, string label, WireFormatOracle? oracle = null)
    {
        _policy = policy;
        _label = label;
        _oracle = oracle ?? WireFormatOracle.Default;
    }

    /// <summary>Gets the mismatches found so far.</summary>
    public IReadOnlyList<string> Mismatches => _mismatches;

    /// <summary>Gets the number of values checked.</summary>
    public int Checked { get; private set; }

    /// <summary>Returns how many values of <paramref name="kind"/> had <paramref name="outcome"/>.</summary>
    public int Count(WireKind kind, ExpectedOutcome outcome) => _tally.GetValueOrDefault((kind, outcome));

    /// <summary>Returns how many values had <paramref name="outcome"/>.</summary>
    public int Count(ExpectedOutcome outcome) => _tally.Where(p => p.Key.Item2 == outcome).Sum(p => p.Value);

    /// <summary>Gets the verdict for <paramref name="value"/>.</summary>
    public OracleVerdict Expect(WireValue value) => _oracle.Judge(value, _policy);

    /// <summary>
    /// Records what happened to <paramref name="value"/>: the handler ran with <paramref name="context"/>, or it did not
    /// run and the message reached the failure path (<paramref name="context"/> <see langword="null"/>, <paramref name="onFailurePath"/> true).
    /// </summary>
    public void Observe(WireValue value, CorrelationContext? context, bool onFailurePath) =>
        Observe(value, context?.CorrelationId, context?.Source, onFailurePath);

    /// <summary>
    /// Records what happened to <paramref name="value"/>: an ID with its source (<paramref name="correlationId"/> not
    /// <see langword="null"/>), or no ID, with or without reaching the failure path (a rejection).
    /// </summary>
    public void Observe(WireValue value, string? correlationId, CorrelationIdSource? source, bool onFailurePath)
    {
        ArgumentNullException.ThrowIfNull(value);
        Checked++;
        var verdict = Expect(value);
        _tally[(value.Kind, verdict.Outcome)] = _tally.GetValueOrDefault((value.Kind, verdict.Outcome)) + 1;
        var problem = Problem(verdict, correlationId, source, onFailurePath, value);
        if (problem is not null)
        {
            _mismatches.Add($"{value} ({verdict.Reason}, expected {verdict.Outcome}): {problem}");
        }
    }

    /// <summary>Throws with every mismatch (the first 20) and the label when any value did not get the document's outcome.</summary>
    public void ThrowIfAnyMismatch()
    {
        if (_mismatches.Count == 0)
        {
            return;
        }

        var sb = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{_label}, policy {_policy}: {_mismatches.Count} of {Checked} values did not get the outcome docs/wire-format.md prescribes:");
        foreach (var m in _mismatches.Take(20))
        {
            sb.Append("\n  ").Append(m);
        }

        throw new OracleMismatchException(sb.ToString());
    }

    /// <summary>
    /// Throws unless every listed kind reached at least <paramref name="minimum"/> values, and the run saw at least one
    /// value of each outcome the policy can produce, so a broker or a generator cannot thin the sample silently.
    /// </summary>
    public void RequireMinimumPerKind(int minimum, params WireKind[] kinds)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        var thin = kinds.Where(k => Enum.GetValues<ExpectedOutcome>().Sum(o => Count(k, o)) < minimum).ToList();
        if (thin.Count > 0)
        {
            throw new OracleMismatchException($"{_label}, policy {_policy}: fewer than {minimum} values of {string.Join(", ", thin)} were checked ({Summary()})");
        }

        var outcomes = _policy == InvalidCorrelationIdPolicy.Reject ? [ExpectedOutcome.Kept, ExpectedOutcome.Rejected] : new[] { ExpectedOutcome.Kept, ExpectedOutcome.Replaced };
        foreach (var outcome in outcomes)
        {
            if (Count(outcome) == 0)
            {
                throw new OracleMismatchException($"{_label}, policy {_policy}: no value was {outcome}, so the run proves nothing about it ({Summary()})");
            }
        }
    }

    /// <summary>Gets the tallies, one <c>kind kept/replaced/rejected</c> group per kind seen.</summary>
    public string Summary() =>
        string.Join("; ", _tally.GroupBy(p => p.Key.Item1).OrderBy(g => g.Key).Select(g =>
            $"{g.Key} {Count(g.Key, ExpectedOutcome.Kept)}/{Count(g.Key, ExpectedOutcome.Replaced)}/{Count(g.Key, ExpectedOutcome.Rejected)}")) +
        " (kept/replaced/rejected)";

    private string? Problem(OracleVerdict verdict, string? id, CorrelationIdSource? source, bool onFailurePath, WireValue value)
    {
        switch (verdict.Outcome)
        {
            case ExpectedOutcome.Rejected:
                if (id is not null)
                {
                    return $"the handler ran with \"{WireValue.Escape(id)}\" ({source})";
                }

                return onFailurePath ? null : "not on the failure path (lost)";

            case ExpectedOutcome.Kept:
                if (id is null)
                {
                    return onFailurePath ? "rejected" : "lost";
                }

                if (source != CorrelationIdSource.Inbound)
                {
                    return $"source {source}, ID \"{WireValue.Escape(id)}\"";
                }

                return string.Equals(id, verdict.KeptId, StringComparison.Ordinal)
                    ? null
                    : $"ID changed to \"{WireValue.Escape(id)}\"";

            default:
                if (id is null)
                {
                    return onFailurePath ? "rejected" : "lost";
                }

                if (source != CorrelationIdSource.Replaced)
                {
                    return $"source {source}, ID \"{WireValue.Escape(id)}\"";
                }

                if (!_oracle.IsValidId(id))
                {
                    return $"the new ID \"{WireValue.Escape(id)}\" is not a valid ID";
                }

                if ((value.Text ?? (value.Bytes is null ? null : Encoding.UTF8.GetString(value.Bytes))) is { Length: > 0 } inbound
                    && (id == new string([.. inbound.Where(c => _oracle.IsValidId(c.ToString()))])
                        || id == inbound[..Math.Min(inbound.Length, _oracle.MaxLength)]))
                {
                    return $"the \"new\" ID \"{WireValue.Escape(id)}\" is the inbound value, sanitised";
                }

                return _replacements.Add(id) ? null : $"the new ID \"{id}\" was handed out twice";
        }
    }
}

/// <summary>A value did not get the outcome the wire format prescribes.</summary>
public sealed class OracleMismatchException(string message) : Exception(message);
