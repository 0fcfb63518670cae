using Microsoft.Extensions.Options;

namespace Correlation.Messaging.Kafka.Hosting.Internal;

/// <summary>Source-generated validation of <see cref="KafkaConsumerOptions"/>, run on start.</summary>
[OptionsValidator]
internal sealed partial class KafkaConsumerOptionsValidator : IValidateOptions<KafkaConsumerOptions>
{
}
