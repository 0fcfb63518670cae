using Correlation.Messaging.Propagation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Correlation.Messaging.Tests.DependencyInjection;

public sealed class AddCorrelationTests
{
    [Fact]
    public void AddCorrelation_Default_RegistersPropagatorAndAccessor()
    {
        using var provider = new ServiceCollection().AddLogging().AddCorrelation().Services.BuildServiceProvider();
        provider.GetRequiredService<CorrelationPropagator>().HeaderName.ShouldBe(CorrelationHeaders.CorrelationId);
        provider.GetRequiredService<ICorrelationContextAccessor>().Current.ShouldBeNull();
    }

    [Fact]
    public void AddCorrelation_Action_ConfiguresOptions()
    {
        using var provider = new ServiceCollection().AddCorrelation(o => o.HeaderName = "x-corr").Services.BuildServiceProvider();
        provider.GetRequiredService<CorrelationPropagator>().HeaderName.ShouldBe("x-corr");
    }

    [Fact]
    public void AddCorrelation_ConfigurationSection_BindsOptions()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Correlation:HeaderName"] = "x-flow",
            ["Correlation:MaxLength"] = "64",
            ["Correlation:InvalidIdPolicy"] = "Reject",
            ["Correlation:IdFormat"] = "Ulid",
        }).Build();

        using var provider = new ServiceCollection().AddCorrelation(configuration.GetSection("Correlation")).Services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<CorrelationOptions>>().Value;
        options.HeaderName.ShouldBe("x-flow");
        options.MaxLength.ShouldBe(64);
        options.InvalidIdPolicy.ShouldBe(InvalidCorrelationIdPolicy.Reject);
        provider.GetRequiredService<CorrelationPropagator>().NewId().Length.ShouldBe(26);
    }

    [Fact]
    public void AddCorrelation_ConfigurationInContainerWithSection_BindsItByDefault()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Correlation:HeaderName"] = "x-flow",
            ["Correlation:ReadAliases:0"] = "x-legacy-id",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);

        services.AddCorrelation();
        services.AddCorrelation(); // a second call (broker packages call it too) binds nothing twice

        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<CorrelationOptions>>().Value;
        options.HeaderName.ShouldBe("x-flow");
        options.ReadAliases.Count(a => a == "x-legacy-id").ShouldBe(1);
    }

    [Fact]
    public void AddCorrelation_ConfigurationWithoutSection_KeepsDefaults()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Other:HeaderName"] = "x" }).Build();
        using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddCorrelation().Services.BuildServiceProvider();

        provider.GetRequiredService<IOptions<CorrelationOptions>>().Value.HeaderName.ShouldBe(CorrelationHeaders.CorrelationId);
    }

    [Fact]
    public void AddCorrelation_CodeAndSection_CodeWins()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Correlation:HeaderName"] = "from-config",
            ["Correlation:MaxLength"] = "64",
        }).Build();
        using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration)
            .AddCorrelation(o => o.HeaderName = "from-code").Services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<CorrelationOptions>>().Value;
        options.HeaderName.ShouldBe("from-code");
        options.MaxLength.ShouldBe(64);
    }

    [Fact]
    public void AddCorrelation_ExplicitSection_IsBoundInsteadOfTheDefaultOne()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Correlation:HeaderName"] = "default-section",
            ["Correlation:ReadAliases:0"] = "x-legacy-id",
            ["Tenant:Correlation:MaxLength"] = "64",
        }).Build();
        using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration)
            .AddCorrelation(configuration.GetSection("Tenant:Correlation")).Services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<CorrelationOptions>>().Value;
        options.HeaderName.ShouldBe(CorrelationHeaders.CorrelationId);
        options.MaxLength.ShouldBe(64);
        options.ReadAliases.ShouldNotContain("x-legacy-id");
    }

    [Fact]
    public async Task AddCorrelation_HostWithSectionInSettings_BindsIt()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Correlation:IdFormat"] = "Ulid" });
        builder.Services.AddCorrelation();
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);

        host.Services.GetRequiredService<CorrelationPropagator>().NewId().Length.ShouldBe(26);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task AddCorrelation_InvalidOptions_FailOnHostStart()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddCorrelation(o => o.MaxLength = 1);
        using var host = builder.Build();
        await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync());
    }

    [Fact]
    public void AddCorrelation_CalledTwice_KeepsSingleRegistrations()
    {
        var services = new ServiceCollection();
        services.AddCorrelation();
        services.AddCorrelation();
        services.Count(d => d.ServiceType == typeof(CorrelationPropagator)).ShouldBe(1);
    }
}
