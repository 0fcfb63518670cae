using Shouldly;
using System.Collections.Concurrent;
using Correlation.Messaging.Propagation;
using Xunit;

namespace Correlation.Messaging.Contracts;

/// <summary>
/// The promises every broker adapter keeps, written once. A broker test project gets the whole suite by subclassing this
/// type and creating its harness.
/// </summary>
public abstract class CorrelationContractTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Creates a harness with its own queues or topics, configured with <paramref name="options"/>.</summary>
    protected abstract Task<IBrokerContractHarness> CreateHarnessAsync(CorrelationOptions options);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Consume_InboundId_RestoredBeforeHandler()
    {
        await using var harness = await CreateHarnessAsync(new CorrelationOptions());
        var calls = await RunAsync(harness, [("restored", [new RawHeader(CorrelationHeaders.CorrelationId, "contract-restored-1")])]);

        var call = calls.ShouldHaveSingleItem();
        call.Context.ShouldNotBeNull($"{harness.Broker}: no ambient context inside the handler");
        call.Context.CorrelationId.ShouldBe("contract-restored-1");
        call.Context.Source.ShouldBe(CorrelationIdSource.Inbound);
        call.Context.MessageId.ShouldBe(call.BrokerMessageId);
    }

    [Fact]
    public async Task Consume_AfterHandler_ContextCleared()
    {
        await using var harness = await CreateHarnessAsync(new CorrelationOptions());
        var calls = await RunAsync(harness,
        [
            ("first", [new RawHeader(CorrelationHeaders.CorrelationId, "contract-cleared-1")]),
            ("second", []),
        ]);

        var second = calls.Single(c => c.Body == "second");
        second.Context.ShouldNotBeNull();
        second.Context.CorrelationId.ShouldNotBe("contract-cleared-1", $"{harness.Broker}: the first message's ID leaked into the next one");
        second.Context.Source.ShouldBe(CorrelationIdSource.Generated);

        // On the consumer's own flow (not this test's), after each handler returned: nothing ambient, and no leak event.
        var after = harness.ContextsAfterHandler;
        after.ShouldNotBeNull($"{harness.Broker}: the harness does not record the context on the consumer's flow after the handler (ContextsAfterHandler)");
        (await TestSupport.Eventually.TrueAsync(() => after.Count >= 2, Timeout, Ct)).ShouldBeTrue($"{harness.Broker}: {after.Count} of 2 recorded");
        after.ShouldAllBe(c => c == null, $"{harness.Broker}: a context stayed ambient on the consumer's flow: {string.Join(", ", after.Select(c => c?.CorrelationId))}");
        harness.Logs.Logs.ShouldNotContain(l => l.EventId.Name != null && l.EventId.Name.Contains("Leak", StringComparison.Ordinal), $"{harness.Broker}: leak event");
    }

    [Fact]
    public async Task Consume_SendDownstream_CarriesCorrelationAndCausation()
    {
        await using var harness = await CreateHarnessAsync(new CorrelationOptions());
        var calls = await RunAsync(
            harness,
            [("cause", [new RawHeader(CorrelationHeaders.CorrelationId, "contract-chain-1")])],
            call => call.SendDownstreamAsync("effect-of-" + call.Body));

        var incoming = calls.ShouldHaveSingleItem();
        var downstream = (await harness.ReadDownstreamAsync(1, Timeout, Ct)).ShouldHaveSingleItem();
        downstream.Body.ShouldBe("effect-of-cause");
        downstream.CorrelationId.ShouldBe("contract-chain-1");
        downstream.CausationId.ShouldNotBeNull();
        downstream.CausationId.ShouldBe(incoming.BrokerMessageId);
        downstream.MessageId.ShouldNotBe(incoming.BrokerMessageId);
    }

    [Fact]
    public async Task Consume_InvalidIdUnderRegenerate_ReplacedAndLogged()
    {
        await using var harness = await CreateHarnessAsync(new CorrelationOptions { InvalidIdPolicy = InvalidCorrelationIdPolicy.Regenerate });
        var calls = await RunAsync(harness, [("invalid", [new RawHeader(CorrelationHeaders.CorrelationId, "forged\r\n2026-01-01 INFO admin logged in")])]);

        var call = calls.ShouldHaveSingleItem();
        call.Context!.Source.ShouldBe(CorrelationIdSource.Replaced);
        call.Context.CorrelationId.ShouldNotContain("forged");
        harness.Logs.WithEventName("InvalidCorrelationIdReplaced").ShouldNotBeEmpty();
        harness.Logs.Logs.ShouldAllBe(l => !l.Message.Contains('\r') && !l.Message.Contains('\n'));
    }

    [Fact]
    public async Task Consume_InvalidIdUnderReject_ReachesFailurePathAndHandlerNotRun()
    {
        await using var harness = await CreateHarnessAsync(new CorrelationOptions { InvalidIdPolicy = InvalidCorrelationIdPolicy.Reject });
        var body = "rejected-" + Guid.NewGuid().ToString("N");
        var calls = new ConcurrentQueue<HandlerCall>();
        await harness.StartConsumerAsync(call => { calls.Enqueue(call); return Task.CompletedTask; }, Ct);

        await harness.SendRawAsync(body, [new RawHeader(CorrelationHeaders.CorrelationId, "bad value with spaces")], Ct);

        (await harness.ReachedFailurePathAsync(body, Timeout, Ct)).ShouldBeTrue($"{harness.Broker}: a rejected message must reach the failure path, never be lost");
        calls.ShouldNotContain(c => c.Body == body);
        harness.Logs.WithEventName("InvalidCorrelationIdRejected").ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Consume_MissingId_Generated()
    {
        await using var harness = await CreateHarnessAsync(new CorrelationOptions { IdFormat = CorrelationIdFormat.Ulid });
        var calls = await RunAsync(harness, [("missing", [])]);

        var call = calls.ShouldHaveSingleItem();
        call.Context!.Source.ShouldBe(CorrelationIdSource.Generated);
        call.Context.CorrelationId.Length.ShouldBe(26);
    }

    [Theory]
    [InlineData("correlation-id")]
    [InlineData("CorrelationId")]
    [InlineData("rbs2-corr-id")]
    [InlineData("NServiceBus.CorrelationId")]
    public async Task Consume_AliasOnly_Honoured(string alias)
    {
        await using var harness = await CreateHarnessAsync(new CorrelationOptions());
        var calls = await RunAsync(harness, [("alias", [new RawHeader(alias, "contract-alias-1")])]);

        calls.ShouldHaveSingleItem().Context!.CorrelationId.ShouldBe("contract-alias-1");
    }

    [Fact]
    public async Task Consume_CorrelationIdIsNeverTheMessageId()
    {
        await using var harness = await CreateHarnessAsync(new CorrelationOptions());
        var calls = await RunAsync(harness, [("a", []), ("b", [])], call => call.SendDownstreamAsync("down-" + call.Body));

        calls.Count.ShouldBe(2);
        calls.ShouldAllBe(c => c.Context!.CorrelationId != c.Context.MessageId);
        var downstream = await harness.ReadDownstreamAsync(2, Timeout, Ct);
        downstream.Count.ShouldBe(2);
        downstream.ShouldAllBe(m => m.MessageId != m.CorrelationId);
        downstream.Select(m => m.MessageId).Distinct().Count().ShouldBe(2);
    }

    private static async Task<List<HandlerCall>> RunAsync(
        IBrokerContractHarness harness,
        IReadOnlyList<(string Body, RawHeader[] Headers)> messages,
        Func<HandlerCall, Task>? then = null)
    {
        var calls = new ConcurrentQueue<HandlerCall>();
        await harness.StartConsumerAsync(
            async call =>
            {
                calls.Enqueue(call);
                if (then is not null)
                {
                    await then(call);
                }
            },
            Ct);

        foreach (var (body, headers) in messages)
        {
            await harness.SendRawAsync(body, headers, Ct);
        }

        var complete = await TestSupport.Eventually.TrueAsync(() => calls.Count >= messages.Count, Timeout, Ct);
        complete.ShouldBeTrue($"{harness.Broker}: expected {messages.Count} handler calls, saw {calls.Count}");
        return [.. calls];
    }
}
