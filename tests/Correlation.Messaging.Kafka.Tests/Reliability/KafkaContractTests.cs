using Correlation.Messaging.Contracts;
using Correlation.Messaging.Kafka.Tests.Integration;

namespace Correlation.Messaging.Kafka.Tests.Reliability;

/// <summary>The broker-independent promises (<see cref="CorrelationContractTests"/>) on Kafka.</summary>
[Collection(KafkaCollection.Name)]
public sealed class KafkaContractTests : CorrelationContractTests
{
    protected override async Task<IBrokerContractHarness> CreateHarnessAsync(CorrelationOptions options) =>
        await KafkaContractHarness.CreateAsync(options);
}
