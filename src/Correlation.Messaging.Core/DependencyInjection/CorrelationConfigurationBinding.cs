using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Correlation.Messaging.DependencyInjection;

/// <summary>
/// Binds the <c>Correlation</c> section of the application's <see cref="IConfiguration"/> (when the container has one
/// and the section exists) to <see cref="CorrelationOptions"/>, before any configuration in code.
/// </summary>
/// <remarks>Skipped when <c>AddCorrelation(IConfigurationSection)</c> named a section explicitly.</remarks>
internal sealed class CorrelationConfigurationBinding(IConfiguration? configuration = null, CorrelationConfigurationBinding.ExplicitSection? explicitSection = null)
    : IConfigureOptions<CorrelationOptions>
{
    /// <summary>The name of the configuration section bound by default.</summary>
    public const string SectionName = "Correlation";

    public void Configure(CorrelationOptions options)
    {
        if (explicitSection is not null || configuration is null)
        {
            return;
        }

        var section = configuration.GetSection(SectionName);
        if (section.Exists())
        {
            section.Bind(options);
        }
    }

    /// <summary>Registered by <c>AddCorrelation(IConfigurationSection)</c>: that section is bound instead.</summary>
    internal sealed class ExplicitSection;
}
