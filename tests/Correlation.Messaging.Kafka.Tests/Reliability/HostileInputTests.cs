using System.Collections.Concurrent;
using System.Globalization;
using Confluent.Kafka;
using Correlation.Messaging.Contracts;
using Correlation.Messaging.Contracts.Oracle;
using Correlation.Messaging.Kafka.Internal;
using Correlation.Messaging.Kafka.Tests.Integration;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;

namespace Correlation.Messaging.Kafka.Tests.Reliability;

/// <summary>
/// Generated header values (CsCheck; <see cref="WireValueGen"/>) judged by <see cref="WireFormatOracle"/>, an independent
/// reading of docs/wire-format.md: 10,000 through the Kafka carrier's extraction (shrinking any failure), and a stratified
/// sample of every kind through the broker as raw header bytes, consumed through the package, under every policy. Kafka
/// carries any bytes in a header value, so the broker refuses none of them.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class HostileInputTests
{
    private const int PerKind = 12;
    private static readonly TimeSpan Deadline = KafkaFixture.Deadline;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void WriteLine(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        TestContext.Current.SendDiagnosticMessage(line);
    }

    [Fact]
    public void Extract_GeneratedHeaderBytes_MatchTheWireFormatDocument() =>
        OracleProperties.ExtractionMatchesOracle<Headers?>(
            WireValueGen.For(WireCapabilities.Kafka),
            static v => Carrier(v, Placement.Canonical),
            KafkaHeaders.Getter,
            WriteLine,
            requiredKinds: [WireKind.Valid, WireKind.OutsideAllowedSet, WireKind.Control, WireKind.Format, WireKind.InvalidUtf8]);

    [Fact]
    public void Extract_GeneratedValuesUnderAliasOrAfterAValidDuplicate_MatchTheWireFormatDocument()
    {
        var i = 0;
        OracleProperties.ExtractionMatchesOracle<Headers?>(
            WireValueGen.For(WireCapabilities.Kafka),
            v => Carrier(v, Interlocked.Increment(ref i) % 2 == 0 ? Placement.AliasOnly : Placement.DuplicateAfterValid),
            KafkaHeaders.Getter,
            WriteLine,
            requiredKinds: [WireKind.Valid, WireKind.OutsideAllowedSet, WireKind.Control, WireKind.InvalidUtf8]);
    }

    /// <summary>
    /// Every kind of value, <see cref="PerKind"/> of each, sent as raw header bytes by a foreign producer. Each gets exactly
    /// the document's outcome: kept (same ID, source Inbound), replaced (a fresh valid ID, source Replaced) or, under
    /// Reject, dead-lettered by the consume loop without reaching the handler. What the handlers send downstream carries
    /// the handler's ID. Replay with <c>ORACLE_SEED</c> (printed).
    /// </summary>
    [Theory]
    [InlineData(InvalidCorrelationIdPolicy.Regenerate)]
    [InlineData(InvalidCorrelationIdPolicy.Reject)]
    [InlineData(InvalidCorrelationIdPolicy.Trust)]
    public async Task GeneratedSampleThroughBroker_EachPolicy_MatchesTheWireFormatDocument(InvalidCorrelationIdPolicy policy)
    {
        var (values, seed) = WireValueGen.Batch(WireValueGen.Stratified(WireCapabilities.Kafka, PerKind));
        var label = $"Kafka, {WireValueGen.SeedVariable}={seed}";
        WriteLine(label);
        await using var harness = await KafkaContractHarness.CreateAsync(new CorrelationOptions { InvalidIdPolicy = policy }, "oracle");
        var calls = new ConcurrentDictionary<int, HandlerCall>();
        await harness.StartConsumerAsync(
            async call =>
            {
                calls[int.Parse(call.Body, CultureInfo.InvariantCulture)] = call;
                await call.SendDownstreamAsync(call.Body);
            },
            Ct);

        await Task.WhenAll(values.Select((v, i) =>
            harness.SendRawAsync(i.ToString(CultureInfo.InvariantCulture), [new RawHeader(CorrelationHeaders.CorrelationId, v.IsNull ? null : v.Bytes)], Ct)));

        (await Eventually.TrueAsync(() => calls.Count + harness.DeadLetteredCount >= values.Length, Deadline, Ct))
            .ShouldBeTrue($"{label}: {calls.Count} handled + {harness.DeadLetteredCount} dead-lettered of {values.Length}");

        var check = new OracleCheck(policy, label);
        for (var i = 0; i < values.Length; i++)
        {
            var body = i.ToString(CultureInfo.InvariantCulture);
            var handled = calls.TryGetValue(i, out var call);
            var expectRejected = check.Expect(values[i]).Outcome == ExpectedOutcome.Rejected;
            var onFailurePath = !handled && await harness.ReachedFailurePathAsync(body, expectRejected ? Deadline : TimeSpan.FromSeconds(2), Ct);
            check.Observe(values[i], handled ? call!.Context : null, onFailurePath);
        }

        WriteLine($"{label}: {check.Summary()}");
        check.ThrowIfAnyMismatch();
        check.RequireMinimumPerKind(PerKind, [.. values.Select(v => v.Kind).Distinct()]);
        harness.DeadLetteredCount.ShouldBe(check.Count(ExpectedOutcome.Rejected), label);

        var downstream = await harness.ReadDownstreamAsync(calls.Count, Deadline, Ct);
        downstream.Count.ShouldBe(calls.Count, label);
        foreach (var message in downstream)
        {
            var call = calls[int.Parse(message.Body, CultureInfo.InvariantCulture)];
            message.CorrelationId.ShouldBe(call.Context!.CorrelationId, $"{label}: downstream of {values[int.Parse(message.Body, CultureInfo.InvariantCulture)]}");
            message.CausationId.ShouldBe(call.BrokerMessageId, label);
        }

        OracleProperties.NothingUnsafeLogged(harness.Logs, label);
    }

    /// <summary>Where the value goes: the canonical header, an alias only, or the last of two canonical headers after a valid one.</summary>
    private enum Placement
    {
        Canonical,
        AliasOnly,
        DuplicateAfterValid,
    }

    private static Headers Carrier(WireValue value, Placement placement)
    {
        var headers = new Headers();
        switch (placement)
        {
            case Placement.AliasOnly:
                headers.Add(CorrelationHeaders.CorrelationIdLowerKebab, value.Bytes);
                break;
            case Placement.DuplicateAfterValid:
                headers.Add(CorrelationHeaders.CorrelationId, "valid-first"u8.ToArray());
                headers.Add(CorrelationHeaders.CorrelationId, value.Bytes);
                break;
            default:
                headers.Add(CorrelationHeaders.CorrelationId, value.Bytes);
                break;
        }

        return headers;
    }
}
