using Microsoft.Extensions.Options;

namespace Correlation.Messaging.Sqs.Processing.Internal;

/// <summary>Source-generated validation of <see cref="SqsProcessorOptions"/>, run on start.</summary>
[OptionsValidator]
internal sealed partial class SqsProcessorOptionsValidator : IValidateOptions<SqsProcessorOptions>
{
    public static SqsProcessorOptionsValidator Instance { get; } = new();
}
