using System.Diagnostics;
using System.Text;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Tests.Propagation;

/// <summary>
/// The optional W3C baggage bridge: off by default; the lowest-precedence inbound source, validated like any other;
/// written within the W3C limits (64 entries, 8,192 bytes).
/// </summary>
public sealed class BaggageBridgeTests
{
    private static readonly CorrelationHeaderSetter<Dictionary<string, string>> Setter = static (c, n, v) => c[n] = v.Text;
    private static readonly CorrelationHeaderGetter<Dictionary<string, string>> Getter =
        static (c, n) => c.TryGetValue(n, out var v) ? InboundHeaderValue.FromText(v) : InboundHeaderValue.Missing;

    private static readonly CorrelationPropagator Bridged = new(new CorrelationOptions { BridgeBaggage = true });

    [Fact]
    public void Extract_OnlyBaggage_RestoresItsCorrelationIdEntry()
    {
        var carrier = new Dictionary<string, string> { ["baggage"] = "userId=alice, correlation_id = flow-b ;prop=1,other=x" };

        var extracted = Bridged.Extract(carrier, Getter);

        extracted.CorrelationId.ShouldBe("flow-b");
        extracted.Source.ShouldBe(CorrelationIdSource.Inbound);
    }

    [Fact]
    public void Extract_BridgeOff_IgnoresBaggage()
    {
        var carrier = new Dictionary<string, string> { ["baggage"] = "correlation_id=flow-b" };

        var extracted = new CorrelationPropagator(new CorrelationOptions()).Extract(carrier, Getter);

        extracted.Source.ShouldBe(CorrelationIdSource.Generated);
        extracted.CorrelationId.ShouldNotBe("flow-b");
    }

    [Fact]
    public void Extract_HeaderOrAliasPresent_BaggageHasLowestPrecedence()
    {
        var withHeader = new Dictionary<string, string> { ["X-Correlation-ID"] = "from-header", ["baggage"] = "correlation_id=from-baggage" };
        var withAlias = new Dictionary<string, string> { ["correlation-id"] = "from-alias", ["baggage"] = "correlation_id=from-baggage" };

        Bridged.Extract(withHeader, Getter).CorrelationId.ShouldBe("from-header");
        Bridged.Extract(withAlias, Getter).CorrelationId.ShouldBe("from-alias");
    }

    [Theory]
    [InlineData("correlation_id=bad%0Aline")]
    [InlineData("correlation_id=has space%20inside")]
    [InlineData("correlation_id=%3Cscript%3E")]
    public void Extract_InvalidBaggageValue_GetsThePolicy(string baggage)
    {
        var carrier = new Dictionary<string, string> { ["baggage"] = baggage };

        Bridged.Extract(carrier, Getter).Source.ShouldBe(CorrelationIdSource.Replaced);
        Should.Throw<CorrelationIdRejectedException>(() =>
            new CorrelationPropagator(new CorrelationOptions { BridgeBaggage = true, InvalidIdPolicy = InvalidCorrelationIdPolicy.Reject }).Extract(carrier, Getter));
    }

    [Fact]
    public void Extract_EntryBeyondSixtyFourMembers_IsNotRead()
    {
        var members = Enumerable.Range(0, 64).Select(i => $"k{i}=v").Append("correlation_id=late");
        var carrier = new Dictionary<string, string> { ["baggage"] = string.Join(',', members) };

        Bridged.Extract(carrier, Getter).Source.ShouldBe(CorrelationIdSource.Generated);
    }

    [Fact]
    public void Inject_BridgeOn_WritesCorrelationIdEntryWithActivityBaggage()
    {
        var carrier = new Dictionary<string, string>();
        var activity = new Activity("baggage-test").AddBaggage("tenant", "acme").AddBaggage("correlation_id", "stale").Start();
        try
        {
            Bridged.Inject(new CorrelationContext("flow-1"), carrier, Setter);
        }
        finally
        {
            activity.Stop();
        }

        var entries = carrier["baggage"].Split(',');
        entries.ShouldContain("correlation_id=flow-1");
        entries.ShouldContain("tenant=acme");
        entries.Count(e => e.StartsWith("correlation_id=", StringComparison.Ordinal)).ShouldBe(1);
        Bridged.Extract(new Dictionary<string, string> { ["baggage"] = carrier["baggage"] }, Getter).CorrelationId.ShouldBe("flow-1");
    }

    [Fact]
    public void Inject_BridgeOff_WritesNoBaggage()
    {
        var carrier = new Dictionary<string, string>();

        new CorrelationPropagator(new CorrelationOptions()).Inject(new CorrelationContext("flow-1"), carrier, Setter);

        carrier.ShouldNotContainKey("baggage");
    }

    [Fact]
    public void Inject_ActivityBaggageBeyondLimits_WritesNoBaggage()
    {
        var tooMany = new Activity("too-many");
        for (var i = 0; i < 64; i++)
        {
            tooMany.AddBaggage("k" + i, "v");
        }

        var tooBig = new Activity("too-big").AddBaggage("big", new string('x', 8200));
        foreach (var activity in (Activity[])[tooMany, tooBig])
        {
            var carrier = new Dictionary<string, string>();
            activity.Start();
            try
            {
                Bridged.Inject(new CorrelationContext("flow-1"), carrier, Setter);
            }
            finally
            {
                activity.Stop();
            }

            carrier.ShouldNotContainKey("baggage", activity.OperationName);
            carrier["X-Correlation-ID"].ShouldBe("flow-1");
        }
    }

    [Fact]
    public void Inject_TrustedIdWithReservedCharacters_IsPercentEncodedAndReadBack()
    {
        var carrier = new Dictionary<string, string>();

        Bridged.Inject(new CorrelationContext("a,b;c=d é"), carrier, Setter);

        carrier["baggage"].ShouldBe("correlation_id=" + Uri.EscapeDataString("a,b;c=d é"));
        Encoding.ASCII.GetByteCount(carrier["baggage"]).ShouldBe(carrier["baggage"].Length);
    }
}
