using Shouldly;
using Correlation.Messaging.Propagation;
using System.Collections.Concurrent;
using Xunit;

namespace Correlation.Messaging.Contracts;

/// <summary>
/// The rules of issue 13 that every adapter shares, written once: the header lookup rule (exact spelling first, then the
/// last case variant; every duplicate logged) and the outgoing rule without an ambient context (a valid existing ID is
/// kept, under the canonical name, with its causation ID). A broker test project subclasses this type when its adapter
/// keeps these rules.
/// </summary>
public abstract class CorrelationRuleContractTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Creates a harness with its own queues or topics, configured with <paramref name="options"/>.</summary>
    protected abstract Task<IRelayContractHarness> CreateHarnessAsync(CorrelationOptions options);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Consume_ExactNameAndCaseVariant_ExactSpellingWinsAndDuplicateLogged()
    {
        await using var harness = await CreateHarnessAsync(new CorrelationOptions());
        var calls = new ConcurrentQueue<HandlerCall>();
        await harness.StartConsumerAsync(call => { calls.Enqueue(call); return Task.CompletedTask; }, Ct);

        await harness.SendRawAsync("variants", [new RawHeader("x-correlation-id", "rule-variant"), new RawHeader(CorrelationHeaders.CorrelationId, "rule-exact")], Ct);

        (await TestSupport.Eventually.TrueAsync(() => !calls.IsEmpty, Timeout, Ct)).ShouldBeTrue($"{harness.Broker}: the handler never ran");
        calls.Single().Context!.CorrelationId.ShouldBe("rule-exact", $"{harness.Broker}: the exact spelling wins over a case variant");
        harness.Logs.WithEventName("DuplicateHeader").ShouldNotBeEmpty($"{harness.Broker}: every duplicate is logged");
    }

    [Fact]
    public async Task SendPrepared_NoAmbientContextValidExistingIds_KeptForRelays()
    {
        await using var harness = await CreateHarnessAsync(new CorrelationOptions());

        await harness.SendPreparedAsync("relayed", [new RawHeader(CorrelationHeaders.CorrelationId, "relay-flow-1"), new RawHeader(CorrelationHeaders.CausationId, "relay-cause-1")], Ct);

        var sent = (await harness.ReadDownstreamAsync(1, Timeout, Ct)).ShouldHaveSingleItem();
        sent.CorrelationId.ShouldBe("relay-flow-1", $"{harness.Broker}: a relay keeps the flow's ID");
        sent.CausationId.ShouldBe("relay-cause-1", $"{harness.Broker}: a relay keeps the message's cause");
    }

    [Fact]
    public async Task SendPrepared_NoAmbientContextCaseVariantId_KeptUnderTheCanonicalName()
    {
        await using var harness = await CreateHarnessAsync(new CorrelationOptions());

        await harness.SendPreparedAsync("variant", [new RawHeader("x-correlation-id", "relay-flow-2")], Ct);

        // The raw reader looks the canonical name up exactly: it sees the ID only if it was written as X-Correlation-ID.
        (await harness.ReadDownstreamAsync(1, Timeout, Ct)).ShouldHaveSingleItem().CorrelationId.ShouldBe("relay-flow-2");
    }

    [Fact]
    public async Task SendPrepared_NoAmbientContextInvalidId_NewIdGenerated()
    {
        await using var harness = await CreateHarnessAsync(new CorrelationOptions());

        await harness.SendPreparedAsync("invalid", [new RawHeader(CorrelationHeaders.CorrelationId, "not a valid id")], Ct);

        var sent = (await harness.ReadDownstreamAsync(1, Timeout, Ct)).ShouldHaveSingleItem();
        Guid.TryParse(sent.CorrelationId, out _).ShouldBeTrue($"{harness.Broker}: an invalid existing ID is replaced, was '{sent.CorrelationId}'");
    }

    [Fact]
    public async Task SendPrepared_AmbientContext_ReplacesExistingIds()
    {
        await using var harness = await CreateHarnessAsync(new CorrelationOptions());

        using (CorrelationContext.BeginScope(new CorrelationContext("ambient-flow-1")))
        {
            await harness.SendPreparedAsync("ambient", [new RawHeader(CorrelationHeaders.CorrelationId, "stored-flow"), new RawHeader(CorrelationHeaders.CausationId, "stored-cause")], Ct);
        }

        var sent = (await harness.ReadDownstreamAsync(1, Timeout, Ct)).ShouldHaveSingleItem();
        sent.CorrelationId.ShouldBe("ambient-flow-1");
        sent.CausationId.ShouldBeNull($"{harness.Broker}: at the edge of the ambient flow there is no cause; a stale one must not travel");
    }
}
