using Correlation.Messaging.Propagation;
using Microsoft.Extensions.Options;

namespace Correlation.Messaging.Tests.DependencyInjection;

/// <summary>Suspicion of issue 13, confirmed: the three header names were checked to be distinct only by the MassTransit filters.</summary>
public sealed class HeaderNameOptionsTests
{
    [Theory]
    [InlineData("X-Correlation-ID", "x-correlation-id", "X-Message-ID")]
    [InlineData("X-Correlation-ID", "X-Causation-ID", "x-correlation-id")]
    [InlineData("X-Correlation-ID", "X-Causation-ID", "X-CAUSATION-ID")]
    public void Propagator_SameHeaderNamesIgnoringCase_RejectedOnStart(string header, string causation, string messageId)
    {
        var options = new CorrelationOptions { HeaderName = header, CausationHeaderName = causation, MessageIdHeaderName = messageId };

        Should.Throw<OptionsValidationException>(() => new CorrelationPropagator(options)).Message.ShouldContain("must differ");
    }

    [Fact]
    public void Propagator_CausationHeaderAlsoAReadAlias_RejectedOnStart()
    {
        var options = new CorrelationOptions();
        options.ReadAliases.Add("x-causation-id");

        Should.Throw<OptionsValidationException>(() => new CorrelationPropagator(options)).Message.ShouldContain("x-causation-id");
    }

    [Fact]
    public void Propagator_DistinctNames_Accepted() =>
        new CorrelationPropagator(new CorrelationOptions { HeaderName = "A-Id", CausationHeaderName = "B-Id", MessageIdHeaderName = "C-Id" })
            .HeaderName.ShouldBe("A-Id");
}
