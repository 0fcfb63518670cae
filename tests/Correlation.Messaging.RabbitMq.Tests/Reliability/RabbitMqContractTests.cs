using Correlation.Messaging.Contracts;
using Correlation.Messaging.RabbitMq.Tests.Infrastructure;

namespace Correlation.Messaging.RabbitMq.Tests.Reliability;

/// <summary>The broker-independent correlation promises, on a real RabbitMQ broker through MassTransit.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqContractTests(RabbitMqFixture fixture) : CorrelationContractTests
{
    protected override async Task<IBrokerContractHarness> CreateHarnessAsync(CorrelationOptions options) =>
        await RabbitMqContractHarness.CreateAsync(fixture, options);
}
