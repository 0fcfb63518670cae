using Microsoft.Extensions.Options;

namespace Correlation.Messaging.DependencyInjection;

/// <summary>Source-generated validation of <see cref="CorrelationOptions"/>, run on start.</summary>
[OptionsValidator]
internal sealed partial class CorrelationOptionsValidator : IValidateOptions<CorrelationOptions>
{
    public static CorrelationOptionsValidator Instance { get; } = new();
}
