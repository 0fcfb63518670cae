using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs.Propagation;
using Microsoft.Extensions.DependencyInjection;

namespace Correlation.Messaging.Sqs.Tests.Integration;

/// <summary>The pipeline handler on the real SDK against the emulator: user code calls <see cref="IAmazonSQS"/> as it always did.</summary>
[Collection(SqsCollection.Name)]
public sealed class SqsPipelineTests(SqsFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddSqs_UserCodeUnchanged_SendAndBatchInScopeArriveWithTheId()
    {
        var queue = await fixture.CreateQueueAsync("user-code");
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDefaultAWSOptions(new AWSOptions
        {
            Credentials = new BasicAWSCredentials(SqsFixture.AccessKey, SqsFixture.SecretKey),
            DefaultClientConfig = { ServiceURL = fixture.ServiceUrl.ToString(), AuthenticationRegion = "us-east-1" },
        });
        services.AddAWSService<IAmazonSQS>();
        services.AddCorrelation().AddSqs();
        await using var provider = services.BuildServiceProvider(validateScopes: true);
        var sqs = provider.GetRequiredService<IAmazonSQS>();

        using (CorrelationContext.BeginScope(new CorrelationContext("user-code-1")))
        {
            // Application code, exactly as it is written without this library:
            await sqs.SendMessageAsync(queue, "plain overload", Ct);
            await sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = "request" }, Ct);
            await sqs.SendMessageBatchAsync(queue, [new SendMessageBatchRequestEntry("a", "batch a"), new SendMessageBatchRequestEntry("b", "batch b")], Ct);
        }

        var received = await fixture.DrainAsync(queue, 4);
        received.Count.ShouldBe(4);
        received.ShouldAllBe(m => m.MessageAttributes["X-Correlation-ID"].StringValue == "user-code-1");
    }

    [Fact]
    public async Task SendMessage_ClientNotBound_SendsNothingOfOurs()
    {
        var queue = await fixture.CreateQueueAsync("unbound");

        using (CorrelationContext.BeginScope(new CorrelationContext("not-for-raw")))
        {
            await fixture.Raw.SendMessageAsync(queue, "raw", Ct);
        }

        (await fixture.DrainAsync(queue, 1)).ShouldHaveSingleItem().MessageAttributes.ShouldBeNull();
    }

    [Fact]
    public async Task SendMessage_CallerRequest_IsNotVisiblyChanged()
    {
        var queue = await fixture.CreateQueueAsync("untouched");
        var own = new Dictionary<string, MessageAttributeValue> { ["tenant"] = Attr.String("t-1") };
        var request = new SendMessageRequest { QueueUrl = queue, MessageBody = "x", MessageAttributes = own };
        var bare = new SendMessageRequest { QueueUrl = queue, MessageBody = "y" };

        using (CorrelationContext.BeginScope(new CorrelationContext("untouched-1")))
        {
            await fixture.Client.SendMessageAsync(request, Ct);
            await fixture.Client.SendMessageAsync(bare, Ct);
        }

        request.MessageAttributes.ShouldBeSameAs(own);
        own.Keys.ShouldBe(["tenant"]);
        bare.MessageAttributes.ShouldBeNull();
        var received = await fixture.DrainAsync(queue, 2);
        received.ShouldAllBe(m => m.MessageAttributes["X-Correlation-ID"].StringValue == "untouched-1");
    }

    [Fact]
    public async Task SendMessageBatch_ThreeExistingIdsAndSevenWithout_ExistingKeptOthersAmbient()
    {
        var queue = await fixture.CreateQueueAsync("mixed-batch");
        string[] existing = ["outbox-flow-a", "outbox-flow-b", "outbox-flow-c"];
        var entries = Enumerable.Range(0, 10).Select(i => new SendMessageBatchRequestEntry("e" + i, "body " + i)).ToList();
        for (var i = 0; i < 3; i++)
        {
            entries[i * 3].MessageAttributes = new() { ["X-Correlation-ID"] = Attr.String(existing[i]) };
        }

        entries[1].MessageAttributes = new() { ["X-Correlation-ID"] = Attr.String("bad\r\nvalue") };   // invalid: not kept

        SendMessageBatchResponse response;
        using (CorrelationContext.BeginScope(new CorrelationContext("ambient-flow", messageId: "cause-9")))
        {
            response = await fixture.Client.SendMessageBatchAsync(new SendMessageBatchRequest { QueueUrl = queue, Entries = entries }, Ct);
        }

        response.Failed.ShouldBeNull();
        var byBody = (await fixture.DrainAsync(queue, 10)).ToDictionary(m => m.Body, m => m.MessageAttributes["X-Correlation-ID"].StringValue);
        byBody.Count.ShouldBe(10);
        for (var i = 0; i < 10; i++)
        {
            byBody["body " + i].ShouldBe(i % 3 == 0 && i < 9 ? existing[i / 3] : "ambient-flow");
        }

        entries[0].MessageAttributes.Keys.ShouldBe(["X-Correlation-ID"]);
        entries[2].MessageAttributes.ShouldBeNull();
    }

    [Fact]
    public async Task SendMessageBatch_NothingAmbient_EachEntryWithoutIdGetsItsOwnNewId()
    {
        var queue = await fixture.CreateQueueAsync("no-ambient");
        CorrelationContext.Current.ShouldBeNull();
        var entries = Enumerable.Range(0, 4).Select(i => new SendMessageBatchRequestEntry("e" + i, "body " + i)).ToList();
        entries[0].MessageAttributes = new() { ["X-Correlation-ID"] = Attr.String("relayed-1"), ["X-Causation-ID"] = Attr.String("relayed-cause") };

        await fixture.Client.SendMessageBatchAsync(new SendMessageBatchRequest { QueueUrl = queue, Entries = entries }, Ct);

        var received = (await fixture.DrainAsync(queue, 4)).ToDictionary(m => m.Body);
        received["body 0"].MessageAttributes["X-Correlation-ID"].StringValue.ShouldBe("relayed-1");
        received["body 0"].MessageAttributes["X-Causation-ID"].StringValue.ShouldBe("relayed-cause");
        var generated = Enumerable.Range(1, 3).Select(i => received["body " + i].MessageAttributes["X-Correlation-ID"].StringValue).ToList();
        generated.Distinct().Count().ShouldBe(3);
        generated.ShouldNotContain("relayed-1");
    }

    [Fact]
    public async Task SendMessage_ExistingValidIdOutsideScope_IsKept()
    {
        var queue = await fixture.CreateQueueAsync("keep-single");

        await fixture.Client.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = queue,
            MessageBody = "relayed",
            MessageAttributes = new() { ["X-Correlation-ID"] = Attr.String("relay-single-1") },
        }, Ct);

        (await fixture.DrainAsync(queue, 1)).ShouldHaveSingleItem().MessageAttributes["X-Correlation-ID"].StringValue.ShouldBe("relay-single-1");
    }

    [Fact]
    public async Task SendMessage_QueueWithSmallMaximumMessageSize_StillSentWithoutOurAttributes()
    {
        var queue = await fixture.CreateQueueAsync("small-queue", new() { ["MaximumMessageSize"] = "2048" });
        var body = new string('s', 2048 - 20);

        // The failing twin: our attributes written for the historical 256 KiB limit push the message over this queue's limit.
        var twin = new SendMessageRequest { QueueUrl = queue, MessageBody = body, MessageAttributes = [] };
        SqsCorrelationAttributes.Inject(fixture.Propagator, new CorrelationContext("twin-1"), twin.MessageAttributes, body).ShouldBe(SqsAttributeWriteOutcome.Attributes);
        await Should.ThrowAsync<AmazonSQSException>(() => fixture.Raw.SendMessageAsync(twin, Ct));

        SendMessageResponse response;
        using (fixture.Propagator.BeginScope(new CorrelationContext("small-1")))
        {
            response = await fixture.Client.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = body }, Ct);
        }

        response.MessageId.ShouldNotBeNullOrEmpty();
        (await fixture.DrainAsync(queue, 1)).ShouldHaveSingleItem().MessageAttributes.ShouldBeNull();
        fixture.Logs.WithEventName("CorrelationAttributesSkipped").ShouldContain(l => l.CorrelationId == "small-1");
    }

    [Fact]
    public async Task SendMessageBatch_EntriesJustUnderTheBatchLimit_StillSent()
    {
        var queue = await fixture.CreateQueueAsync("big-batch", new() { ["MaximumMessageSize"] = "1048576" });
        var each = (SqsCorrelationAttributes.MaxBatchSize / 10) - 20;   // 10 entries together 200 bytes under the 1 MiB total
        var entries = Enumerable.Range(0, 10).Select(i => new SendMessageBatchRequestEntry("e" + i, i + new string('b', each - 1))).ToList();

        // The failing twin: every entry written as if alone would push the batch over the total.
        var twin = entries.Select(e => new SendMessageBatchRequestEntry(e.Id, e.MessageBody) { MessageAttributes = [] }).ToList();
        twin.ForEach(e => SqsCorrelationAttributes.Inject(fixture.Propagator, new CorrelationContext("twin-batch"), e.MessageAttributes, e.MessageBody, 1_048_576));
        await Should.ThrowAsync<AmazonSQSException>(() => fixture.Raw.SendMessageBatchAsync(new SendMessageBatchRequest { QueueUrl = queue, Entries = twin }, Ct));

        SendMessageBatchResponse response;
        using (CorrelationContext.BeginScope(new CorrelationContext("big-batch-1")))
        {
            response = await fixture.Client.SendMessageBatchAsync(new SendMessageBatchRequest { QueueUrl = queue, Entries = entries }, Ct);
        }

        response.Failed.ShouldBeNull();
        response.Successful.Count.ShouldBe(10);
        var received = await fixture.DrainAsync(queue, 10);
        received.Count.ShouldBe(10);
        received.Count(m => m.MessageAttributes?.ContainsKey("X-Correlation-ID") == true).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task ReceiveMessage_CallerNamesOnly_OurAttributesAskedForAndRequestRestored()
    {
        var queue = await fixture.CreateQueueAsync("receive-names");
        using (CorrelationContext.BeginScope(new CorrelationContext("receive-1")))
        {
            await fixture.Client.SendMessageAsync(new SendMessageRequest
            {
                QueueUrl = queue,
                MessageBody = "x",
                MessageAttributes = new() { ["tenant"] = Attr.String("t-1"), ["other"] = Attr.String("o") },
            }, Ct);
        }

        List<string> names = ["tenant"];
        var request = new ReceiveMessageRequest { QueueUrl = queue, WaitTimeSeconds = 1, MessageAttributeNames = names };
        var message = (await fixture.Client.ReceiveMessageAsync(request, Ct)).Messages.ShouldHaveSingleItem();

        request.MessageAttributeNames.ShouldBeSameAs(names);
        names.ShouldBe(["tenant"]);
        message.MessageAttributes.Keys.Order(StringComparer.Ordinal).ShouldBe(["X-Correlation-Flow", "X-Correlation-ID", "tenant"]);
        message.ExtractCorrelation(fixture.Propagator).CorrelationId.ShouldBe("receive-1");

        // The same request through a client that is not bound asks only for what the caller named.
        await fixture.Raw.ChangeMessageVisibilityAsync(queue, message.ReceiptHandle, 0, Ct);
        var plain = (await fixture.Raw.ReceiveMessageAsync(request, Ct)).Messages.ShouldHaveSingleItem();
        plain.MessageAttributes.Keys.ShouldBe(["tenant"]);
    }

    [Fact]
    public async Task ReceiveMessage_NoNamesRequested_OursStillArriveAndRequestStaysNull()
    {
        var queue = await fixture.CreateQueueAsync("receive-null");
        using (CorrelationContext.BeginScope(new CorrelationContext("receive-2")))
        {
            await fixture.Client.SendMessageAsync(queue, "x", Ct);
        }

        var request = new ReceiveMessageRequest { QueueUrl = queue, WaitTimeSeconds = 1 };
        var message = (await fixture.Client.ReceiveMessageAsync(request, Ct)).Messages.ShouldHaveSingleItem();

        request.MessageAttributeNames.ShouldBeNull();
        using var scope = message.BeginCorrelationScope(fixture.Propagator);
        CorrelationContext.Current!.CorrelationId.ShouldBe("receive-2");
        CorrelationContext.Current.MessageId.ShouldBe(message.MessageId);
    }
}
