using Microsoft.Extensions.Options;

namespace Correlation.Messaging.AspNetCore.DependencyInjection;

/// <summary>Source-generated validation of <see cref="CorrelationHttpOptions"/>, run on start.</summary>
[OptionsValidator]
internal sealed partial class CorrelationHttpOptionsValidator : IValidateOptions<CorrelationHttpOptions>
{
}
