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
