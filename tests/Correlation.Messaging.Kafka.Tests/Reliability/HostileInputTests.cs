using System.Collections.Concurrent;
using System.Globalization;
using Confluent.Kafka;
using Correlation.Messaging.Contracts;
using Correlation.Messaging.Kafka.Internal;
using Correlation.Messaging.Kafka.Tests.Integration;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;

namespace Correlation.Messaging.Kafka.Tests.Reliability;

/// <summary>
/// Seeded hostile header values (<see cref="HostileValues"/>; seed from <c>HOSTILE_SEED</c>, printed in every failure):
/// 10,000 through the Kafka carrier's extraction, and a sample of them through the broker as raw record headers, consumed
/// through the package. Kafka carries any bytes in a header value, so the broker refuses none of them.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class HostileInputTests
{
    private const int ExtractionCount = 10_000;
    private const int BrokerSample = 500;
    private static readonly TimeSpan Deadline = KafkaFixture.Deadline;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Extract_TenThousandHostileHeaderValues_KeepEveryPolicyPromise()
    {
        var seed = HostileValues.Seed;
        TestContext.Current.TestOutputHelper?.WriteLine($"hostile seed {seed}");
        HostileInputAssertions.ExtractionKeepsPromises(
            HostileValues.Generate(seed, ExtractionCount),
            seed,
            static v => Carrier(v, Placement.Canonical),
            KafkaHeaders.Getter);
    }

    [Fact]
    public void Extract_TenThousandHostileAliasAndDuplicateHeaders_KeepEveryPolicyPromise()
    {
        var seed = HostileValues.Seed + 1;
        TestContext.Current.TestOutputHelper?.WriteLine($"hostile seed {seed}");
        var i = 0;
        HostileInputAssertions.ExtractionKeepsPromises(
            HostileValues.Generate(seed, ExtractionCount),
            seed,
            v => Carrier(v, (Placement)(i++ % 3)),
            KafkaHeaders.Getter);
    }

    [Fact]
    public async Task HostileSampleThroughBroker_Regenerate_EveryHandlerRunsWithSafeIdsAndSafeOutgoingHeaders()
    {
        var seed = HostileValues.Seed;
        var values = HostileValues.Generate(seed, BrokerSample).ToArray();
        await using var harness = await KafkaContractHarness.CreateAsync(new CorrelationOptions(), "hostile");
        var calls = new ConcurrentDictionary<int, HandlerCall>();
        await harness.StartConsumerAsync(
            async call =>
            {
                calls[int.Parse(call.Body, CultureInfo.InvariantCulture)] = call;
                await call.SendDownstreamAsync(call.Body);
            },
            Ct);

        await SendAllAsync(harness, values);

        (await Eventually.TrueAsync(() => calls.Count >= values.Length, Deadline, Ct))
            .ShouldBeTrue($"seed {seed}: only {calls.Count} of {values.Length} hostile records reached the handler");
        harness.DeadLetteredCount.ShouldBe(0, $"seed {seed}: nothing is rejected under Regenerate");
        for (var i = 0; i < values.Length; i++)
        {
            var context = calls[i].Context;
            context.ShouldNotBeNull($"seed {seed}: no context for {values[i]}");
            HostileInputAssertions.IsSafeId(context.CorrelationId, seed, values[i]);
            if (values[i].Kind == "valid" && PlacementOf(i) == Placement.Canonical)
            {
                context.CorrelationId.ShouldBe(values[i].Text, $"seed {seed}: a valid value is kept");
                context.Source.ShouldBe(CorrelationIdSource.Inbound);
            }
        }

        // What went out again: every downstream record carries safe IDs, the handler's correlation ID, and its cause.
        var downstream = await harness.ReadDownstreamAsync(values.Length, Deadline, Ct);
        downstream.Count.ShouldBe(values.Length, $"seed {seed}: downstream records missing");
        foreach (var message in downstream)
        {
            var i = int.Parse(message.Body, CultureInfo.InvariantCulture);
            HostileInputAssertions.IsSafeId(message.CorrelationId, seed, values[i]);
            HostileInputAssertions.IsSafeId(message.CausationId, seed, values[i]);
            HostileInputAssertions.IsSafeId(message.MessageId, seed, values[i]);
            message.CorrelationId.ShouldBe(calls[i].Context!.CorrelationId, $"seed {seed}: {values[i]}");
        }

        HostileInputAssertions.NothingUnsafeLogged(harness.Logs, seed);
    }

    [Fact]
    public async Task HostileSampleThroughBroker_Reject_EachHandledOrDeadLetteredNothingLost()
    {
        var seed = HostileValues.Seed;
        var values = HostileValues.Generate(seed, BrokerSample).ToArray();
        var options = new CorrelationOptions { InvalidIdPolicy = InvalidCorrelationIdPolicy.Reject };
        await using var harness = await KafkaContractHarness.CreateAsync(options, "hostile-reject");
        var handled = new ConcurrentDictionary<int, HandlerCall>();
        await harness.StartConsumerAsync(
            call =>
            {
                handled[int.Parse(call.Body, CultureInfo.InvariantCulture)] = call;
                return Task.CompletedTask;
            },
            Ct);

        await SendAllAsync(harness, values);

        (await Eventually.TrueAsync(() => handled.Count + harness.DeadLetteredCount >= values.Length, Deadline, Ct))
            .ShouldBeTrue($"seed {seed}: {handled.Count} handled + {harness.DeadLetteredCount} dead-lettered of {values.Length}");

        // The outcome on the broker is the outcome extraction promises for the same bytes.
        var reference = new CorrelationPropagator(options);
        var rejected = 0;
        for (var i = 0; i < values.Length; i++)
        {
            bool rejects;
            try
            {
                reference.Extract(Carrier(values[i], PlacementOf(i)), KafkaHeaders.Getter);
                rejects = false;
            }
            catch (CorrelationIdRejectedException)
            {
                rejects = true;
            }

            if (rejects)
            {
                rejected++;
                handled.ContainsKey(i).ShouldBeFalse($"seed {seed}: a rejected value reached the handler: {values[i]}");
                (await harness.ReachedFailurePathAsync(i.ToString(CultureInfo.InvariantCulture), Deadline, Ct))
                    .ShouldBeTrue($"seed {seed}: a rejected record is not on the dead-letter topic: {values[i]}");
            }
            else
            {
                handled.TryGetValue(i, out var call).ShouldBeTrue($"seed {seed}: an accepted value was not handled: {values[i]}");
                HostileInputAssertions.IsSafeId(call!.Context?.CorrelationId, seed, values[i]);
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"seed {seed}: {values.Length} sent, {handled.Count} handled, {rejected} dead-lettered");
        rejected.ShouldBeGreaterThan(0, $"seed {seed}: the sample should hold values that Reject refuses");
        harness.DeadLetteredCount.ShouldBe(rejected, $"seed {seed}: dead-lettered count");
        handled.Count.ShouldBe(values.Length - rejected, $"seed {seed}: handled count");
        HostileInputAssertions.NothingUnsafeLogged(harness.Logs, seed);
    }

    /// <summary>Where the hostile value goes: the canonical header, an alias only, or the last of two canonical headers after a valid one.</summary>
    private enum Placement
    {
        Canonical,
        AliasOnly,
        DuplicateAfterValid,
    }

    /// <summary>Every fourth record of the broker sample carries the value under an alias, the others under the canonical name.</summary>
    private static Placement PlacementOf(int index) => index % 4 == 3 ? Placement.AliasOnly : Placement.Canonical;

    private static Headers Carrier(HostileValue value, Placement placement)
    {
        var headers = new Headers();
        switch (placement)
        {
            case Placement.AliasOnly:
                headers.Add(CorrelationHeaders.CorrelationIdLowerKebab, value.AsBytes());
                break;
            case Placement.DuplicateAfterValid:
                headers.Add(CorrelationHeaders.CorrelationId, "valid-first"u8.ToArray());
                headers.Add(CorrelationHeaders.CorrelationId, value.AsBytes());
                break;
            default:
                headers.Add(CorrelationHeaders.CorrelationId, value.AsBytes());
                break;
        }

        return headers;
    }

    private static Task SendAllAsync(KafkaContractHarness harness, HostileValue[] values) =>
        Task.WhenAll(values.Select((v, i) =>
        {
            var name = PlacementOf(i) == Placement.AliasOnly ? CorrelationHeaders.CorrelationIdLowerKebab : CorrelationHeaders.CorrelationId;
            return harness.SendRawAsync(i.ToString(CultureInfo.InvariantCulture), [new RawHeader(name, v.AsBytes())], Ct);
        }));
}
