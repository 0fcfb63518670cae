using Amazon.Runtime;
using Correlation.Messaging.Sqs.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Correlation.Messaging.Sqs.Tests.Integration;

[Collection(SqsCollection.Name)]
public sealed class SqsClientIntegrationTests(SqsFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddSqsClient_ResolvedFromContainer_IsCorrelatingAndTalksToSqs()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCorrelation().AddSqsClient(o =>
        {
            o.ServiceUrl = fixture.ServiceUrl;
            o.Region = "us-east-1";
            o.Credentials = new BasicAWSCredentials(SqsFixture.AccessKey, SqsFixture.SecretKey);
        });
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var client = provider.GetRequiredService<ISqsClient>();
        var queue = await client.CreateQueueAsync("di-" + Guid.NewGuid().ToString("N"), cancellationToken: Ct);
        using (CorrelationContext.BeginScope(new CorrelationContext("di-1")))
        {
            await client.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = "di" }, Ct);
        }

        client.ShouldBeOfType<CorrelatingSqsClient>();
        var message = (await client.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queue, WaitTimeSeconds = 1 }, Ct)).Messages.ShouldHaveSingleItem();
        message.MessageAttributes!["X-Correlation-ID"].StringValue.ShouldBe("di-1");
    }

    [Fact]
    public async Task QueueOperations_AgainstEmulator_RoundTrip()
    {
        var name = "ops-" + Guid.NewGuid().ToString("N");
        var queue = await fixture.Raw.CreateQueueAsync(name, new Dictionary<string, string> { ["VisibilityTimeout"] = "30" }, Ct);
        (await fixture.Raw.GetQueueUrlAsync(name, Ct)).ShouldBe(queue);

        await fixture.Raw.SetQueueAttributesAsync(queue, new Dictionary<string, string> { ["VisibilityTimeout"] = "45" }, Ct);
        (await fixture.Raw.GetQueueAttributesAsync(queue, ["VisibilityTimeout"], Ct))["VisibilityTimeout"].ShouldBe("45");

        await fixture.Raw.SendMessageBatchAsync(new SendMessageBatchRequest { QueueUrl = queue, Entries = [new() { Id = "a", MessageBody = "a" }, new() { Id = "b", MessageBody = "b" }] }, Ct);
        var received = (await fixture.Raw.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queue, MaxNumberOfMessages = 10, WaitTimeSeconds = 1 }, Ct)).Messages;
        received.Count.ShouldBe(2);

        await fixture.Raw.ChangeMessageVisibilityAsync(queue, received[0].ReceiptHandle!, 0, Ct);
        var again = (await fixture.Raw.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queue, WaitTimeSeconds = 1 }, Ct)).Messages.ShouldHaveSingleItem();
        again.MessageId.ShouldBe(received[0].MessageId);

        var deleted = await fixture.Raw.DeleteMessageBatchAsync(queue, [new() { Id = "x", ReceiptHandle = again.ReceiptHandle }, new() { Id = "y", ReceiptHandle = received[1].ReceiptHandle }], Ct);
        deleted.Failed.ShouldBeEmpty();
        deleted.Successful.Select(s => s.Id).Order().ShouldBe(["x", "y"]);
        (await fixture.CountMessagesAsync(queue)).ShouldBe(0);
    }

    [Fact]
    public async Task GetQueueUrl_MissingQueue_ThrowsTypedExceptionWithRequestId()
    {
        var ex = await Should.ThrowAsync<SqsException>(() => fixture.Raw.GetQueueUrlAsync("missing-" + Guid.NewGuid().ToString("N"), Ct));

        ex.ErrorCode.ShouldBe("QueueDoesNotExist");
        ex.QueryErrorCode.ShouldBe("AWS.SimpleQueueService.NonExistentQueue");
        ex.RequestId.ShouldNotBeNullOrEmpty();
    }
}
