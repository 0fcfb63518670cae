using Correlation.Messaging.Contracts;
using Correlation.Messaging.RabbitMq.Tests.Infrastructure;

namespace Correlation.Messaging.RabbitMq.Tests.Reliability;

/// <summary>The shared header-lookup and outgoing rules (<see cref="CorrelationRuleContractTests"/>) on RabbitMQ.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqRuleContractTests(RabbitMqFixture fixture) : CorrelationRuleContractTests
{
    protected override async Task<IRelayContractHarness> CreateHarnessAsync(CorrelationOptions options) =>
        await RabbitMqContractHarness.CreateAsync(fixture, options);
}
