using Correlation.Messaging.Contracts;
using Correlation.Messaging.Sqs.Tests.Integration;

namespace Correlation.Messaging.Sqs.Tests.Reliability;

/// <summary>The broker-independent correlation promises, on the SQS emulator.</summary>
[Collection(SqsCollection.Name)]
public sealed class SqsContractTests(SqsFixture fixture) : CorrelationContractTests
{
    protected override async Task<IBrokerContractHarness> CreateHarnessAsync(CorrelationOptions options) =>
        await SqsContractHarness.CreateAsync(fixture, options, "contract", TestContext.Current.CancellationToken);
}
