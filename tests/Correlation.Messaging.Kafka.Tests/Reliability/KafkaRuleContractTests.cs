using Correlation.Messaging.Contracts;
using Correlation.Messaging.Kafka.Tests.Integration;

namespace Correlation.Messaging.Kafka.Tests.Reliability;

/// <summary>The shared header-lookup and outgoing rules (<see cref="CorrelationRuleContractTests"/>) on Kafka.</summary>
[Collection(KafkaCollection.Name)]
public sealed class KafkaRuleContractTests : CorrelationRuleContractTests
{
    protected override async Task<IRelayContractHarness> CreateHarnessAsync(CorrelationOptions options) =>
        await KafkaContractHarness.CreateAsync(options, "rules");
}
