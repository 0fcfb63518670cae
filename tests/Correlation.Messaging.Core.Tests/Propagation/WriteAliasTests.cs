using Correlation.Messaging.Propagation;
using Microsoft.Extensions.Options;

namespace Correlation.Messaging.Tests.Propagation;

/// <summary>
/// The "also write these names" options (off by default) and the causation read aliases, used by the CloudEvents
/// binary mode and by Wolverine interop.
/// </summary>
public sealed class WriteAliasTests
{
    private static readonly CorrelationHeaderSetter<Dictionary<string, string>> Setter = static (c, n, v) => c[n] = v.Text;
    private static readonly CorrelationHeaderGetter<Dictionary<string, string>> Getter =
        static (c, n) => c.TryGetValue(n, out var v) ? InboundHeaderValue.FromText(v) : InboundHeaderValue.Missing;

    [Fact]
    public void Inject_DefaultOptions_WritesOnlyOurNames()
    {
        var carrier = new Dictionary<string, string>();

        new CorrelationPropagator(new CorrelationOptions()).Inject(new CorrelationContext("flow-1", messageId: "m-1"), carrier, Setter);

        carrier.Keys.Order(StringComparer.Ordinal).ShouldBe(["X-Causation-ID", "X-Correlation-Flow", "X-Correlation-ID"]);
    }

    [Fact]
    public void Inject_WriteAliases_WritesTheIdsUnderEachAliasToo()
    {
        var options = new CorrelationOptions();
        options.WriteAliases.Add("correlation-id");
        options.CausationWriteAliases.Add("ce_causationid");
        var carrier = new Dictionary<string, string>();

        new CorrelationPropagator(options).Inject(new CorrelationContext("flow-1", messageId: "m-1"), carrier, Setter);

        carrier["correlation-id"].ShouldBe("flow-1");
        carrier["ce_causationid"].ShouldBe("m-1");
        carrier["X-Correlation-ID"].ShouldBe("flow-1");
    }

    [Fact]
    public void Inject_CausationWriteAliasOutsideAHandler_WritesNoCausation()
    {
        var options = new CorrelationOptions();
        options.CausationWriteAliases.Add("ce_causationid");
        var carrier = new Dictionary<string, string>();

        new CorrelationPropagator(options).Inject(new CorrelationContext("flow-1"), carrier, Setter);

        carrier.ShouldNotContainKey("ce_causationid");
    }

    [Fact]
    public void Extract_CausationReadAlias_ReadOnlyWhenTheCausationHeaderIsAbsent()
    {
        var options = new CorrelationOptions();
        options.CausationReadAliases.Add("conversation-id");
        var propagator = new CorrelationPropagator(options);

        propagator.Extract(new Dictionary<string, string> { ["conversation-id"] = "wolverine-guid" }, Getter).CausationId.ShouldBe("wolverine-guid");
        propagator.Extract(new Dictionary<string, string> { ["X-Causation-ID"] = "ours", ["conversation-id"] = "theirs" }, Getter).CausationId.ShouldBe("ours");
        new CorrelationPropagator(new CorrelationOptions()).Extract(new Dictionary<string, string> { ["conversation-id"] = "wolverine-guid" }, Getter).CausationId.ShouldBeNull();
    }

    [Theory]
    [InlineData("X-Correlation-ID", null)]
    [InlineData("x-causation-id", null)]
    [InlineData(null, "correlation-id")]
    [InlineData(null, "X-Correlation-ID")]
    public void Validate_AliasThatCollidesWithOurNames_FailsOnStart(string? writeAlias, string? causationAlias)
    {
        var options = new CorrelationOptions();
        if (writeAlias is not null)
        {
            options.WriteAliases.Add(writeAlias);
        }

        if (causationAlias is not null)
        {
            options.CausationReadAliases.Add(causationAlias);
        }

        Should.Throw<OptionsValidationException>(() => new CorrelationPropagator(options));
    }
}
