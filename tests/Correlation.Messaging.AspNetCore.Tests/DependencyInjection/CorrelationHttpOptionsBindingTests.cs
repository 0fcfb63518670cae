using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Correlation.Messaging.AspNetCore.Tests.DependencyInjection;

/// <summary>
/// <see cref="CorrelationHttpOptions"/> binds from configuration (every property that configuration can express) and is
/// checked on start by the source-generated validator. The oracle is the configuration literal, never the defaults.
/// </summary>
public sealed class CorrelationHttpOptionsBindingTests
{
    [Fact]
    public void AddAspNetCore_ConfigurationSection_BindsEveryDataProperty()
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["Correlation:Http:ResponseHeaderName"] = "X-Echoed-Correlation",
            ["Correlation:Http:TrustedNetworks:0"] = "10.0.0.0/8",
            ["Correlation:Http:TrustedNetworks:1"] = "2001:db8::/32",
            ["Correlation:Http:TrustedNetworks:2"] = "192.0.2.7",
            ["Correlation:Http:SetTraceIdentifier"] = "true",
            ["Correlation:Http:IncludeInProblemDetails"] = "false",
            ["Correlation:Http:TagActivity"] = "false",
            ["Correlation:Http:UseRequestIdAsMessageId"] = "false",
            ["Correlation:Http:HandleUnhandledExceptions"] = "false",
        });

        var options = provider.GetRequiredService<IOptions<CorrelationHttpOptions>>().Value;

        options.ResponseHeaderName.ShouldBe("X-Echoed-Correlation");
        options.TrustedNetworks.ShouldBe(["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"]);
        options.SetTraceIdentifier.ShouldBeTrue();
        options.IncludeInProblemDetails.ShouldBeFalse();
        options.TagActivity.ShouldBeFalse();
        options.UseRequestIdAsMessageId.ShouldBeFalse();
        options.HandleUnhandledExceptions.ShouldBeFalse();
    }

    [Fact]
    public void AddAspNetCore_ConfigurationAndCodePredicate_KeepsBoth()
    {
        Func<HttpContext, bool> predicate = static _ => true;
        var services = new ServiceCollection();
        services.AddCorrelation()
            .AddAspNetCore(Section(new Dictionary<string, string?> { ["Correlation:Http:TrustedNetworks:0"] = "10.0.0.0/8" }))
            .AddAspNetCore(http => http.IsTrustedSource = predicate);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<CorrelationHttpOptions>>().Value;

        options.TrustedNetworks.ShouldBe(["10.0.0.0/8"]);
        options.IsTrustedSource.ShouldBeSameAs(predicate);
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/x")]
    [InlineData("not-a-network")]
    [InlineData("")]
    public void AddAspNetCore_MalformedTrustedNetwork_FailsValidationNamingTheEntry(string entry)
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["Correlation:Http:TrustedNetworks:0"] = "10.0.0.0/8",
            ["Correlation:Http:TrustedNetworks:1"] = entry,
        });

        var error = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IOptions<CorrelationHttpOptions>>().Value);

        error.Message.ShouldContain($"'{entry}'");
        error.Message.ShouldContain(nameof(CorrelationHttpOptions.TrustedNetworks));
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.1", "127.0.0.2", false)]
    [InlineData("10.0.0.0/8", "10.255.0.1", true)]
    [InlineData(" 10.0.0.0/8 ", "11.0.0.1", false)]
    [InlineData("::1", "::1", true)]
    public void TryParseNetwork_AddressOrCidr_MatchesLikeIPNetworkParse(string entry, string address, bool expected)
    {
        CorrelationHttpOptions.TryParseNetwork(entry, out var network).ShouldBeTrue();

        // Independent oracle: a single address is the full-length prefix of the BCL's own parser.
        var trimmed = entry.Trim();
        var reference = IPNetwork.Parse(trimmed.Contains('/') ? trimmed : $"{trimmed}/{(IPAddress.Parse(trimmed).GetAddressBytes().Length * 8)}");
        network.ShouldBe(reference);
        network.Contains(IPAddress.Parse(address)).ShouldBe(expected);
    }

    private static ServiceProvider Build(Dictionary<string, string?> values)
    {
        var services = new ServiceCollection();
        services.AddCorrelation().AddAspNetCore(Section(values));
        return services.BuildServiceProvider();
    }

    private static IConfigurationSection Section(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("Correlation:Http");
}
