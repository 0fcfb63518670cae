using Correlation.Messaging.Contracts;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Tests.Validation;

/// <summary>Ten thousand seeded hostile values through extraction, as text and as bytes, under every policy.</summary>
public sealed class HostileExtractionTests
{
    [Fact]
    public void Extract_TenThousandHostileTextValues_KeepEveryPolicyPromise()
    {
        var seed = HostileValues.Seed;
        TestContext.Current.SendDiagnosticMessage($"hostile seed {seed}");
        HostileInputAssertions.ExtractionKeepsPromises(
            HostileValues.Generate(seed, 10_000),
            seed,
            static v => v.AsText(),
            static (text, name) => name == CorrelationHeaders.CorrelationId ? InboundHeaderValue.FromText(text) : InboundHeaderValue.Missing);
    }

    [Fact]
    public void Extract_TenThousandHostileByteValues_KeepEveryPolicyPromise()
    {
        var seed = HostileValues.Seed + 1;
        HostileInputAssertions.ExtractionKeepsPromises(
            HostileValues.Generate(seed, 10_000),
            seed,
            static v => v.AsBytes(),
            static (bytes, name) => name == CorrelationHeaders.CorrelationId ? InboundHeaderValue.FromUtf8(bytes) : InboundHeaderValue.Missing);
    }

    [Fact]
    public void Generate_SameSeed_SameValues()
    {
        HostileValues.Generate(7, 500).Select(v => v.ToString()).ShouldBe(HostileValues.Generate(7, 500).Select(v => v.ToString()));
        HostileValues.Generate(7, 800).Select(v => v.Kind).Distinct().Count().ShouldBeGreaterThanOrEqualTo(8);
    }
}
