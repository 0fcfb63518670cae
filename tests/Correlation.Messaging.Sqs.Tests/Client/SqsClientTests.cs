using System.Net;
using System.Text.Json;
using Amazon.Runtime;
using Correlation.Messaging.Sqs.Client;

namespace Correlation.Messaging.Sqs.Tests.Client;

public sealed class SqsClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SqsClient CreateClient(FakeHttpHandler handler, int maxRetries = 3) => new(
        new SqsClientOptions
        {
            Region = "eu-west-1",
            ServiceUrl = new Uri("http://localhost:9324"),
            Credentials = new BasicAWSCredentials("AKID", "SECRET"),
            MaxRetries = maxRetries,
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
            RetryMaxDelay = TimeSpan.FromMilliseconds(2),
        },
        new HttpClient(handler));

    [Fact]
    public async Task SendMessageAsync_Always_SpeaksJsonProtocolAndSigns()
    {
        var handler = new FakeHttpHandler().Respond(HttpStatusCode.OK, """{"MessageId":"m-1","MD5OfMessageBody":"x"}""");
        var client = CreateClient(handler);

        var response = await client.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = "http://localhost:9324/000/q",
            MessageBody = "hello",
            MessageAttributes = new() { ["a"] = MessageAttributeValue.FromString("b") },
        }, Ct);

        response.MessageId.ShouldBe("m-1");
        var (request, body) = handler.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe(HttpMethod.Post);
        request.Headers.GetValues("X-Amz-Target").ShouldBe(["AmazonSQS.SendMessage"]);
        request.Content!.Headers.ContentType!.ToString().ShouldBe("application/x-amz-json-1.0");
        request.Headers.Host.ShouldBe("localhost:9324");
        var authorization = request.Headers.GetValues("Authorization").Single();
        authorization.ShouldStartWith("AWS4-HMAC-SHA256 Credential=AKID/");
        authorization.ShouldContain("/eu-west-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=");
        using var json = JsonDocument.Parse(body);
        json.RootElement.GetProperty("MessageBody").GetString().ShouldBe("hello");
        json.RootElement.GetProperty("MessageAttributes").GetProperty("a").GetProperty("StringValue").GetString().ShouldBe("b");
        json.RootElement.TryGetProperty("DelaySeconds", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task InvokeAsync_ServerErrorThenSuccess_Retries()
    {
        var handler = new FakeHttpHandler()
            .Respond(HttpStatusCode.InternalServerError, """{"__type":"com.amazonaws.sqs#InternalError","message":"boom"}""")
            .Throw(new HttpRequestException("connection reset"))
            .Respond(HttpStatusCode.OK, """{"QueueUrl":"http://q"}""");

        (await CreateClient(handler).GetQueueUrlAsync("q", Ct)).ShouldBe("http://q");
        handler.Requests.Count.ShouldBe(3);
    }

    [Fact]
    public async Task InvokeAsync_ThrottledWith400_Retries()
    {
        var handler = new FakeHttpHandler()
            .Respond(HttpStatusCode.BadRequest, """{"__type":"com.amazonaws.sqs#RequestThrottled","message":"slow down"}""")
            .Respond(HttpStatusCode.OK, "");

        await CreateClient(handler).DeleteMessageAsync("http://q", "rh", Ct);
        handler.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task InvokeAsync_ServerErrorBeyondMaxRetries_ThrowsWithCodeAndRequestId()
    {
        var handler = new FakeHttpHandler();
        for (var i = 0; i < 3; i++)
        {
            handler.Respond(HttpStatusCode.ServiceUnavailable, """{"__type":"com.amazonaws.sqs#ServiceUnavailable","message":"down"}""", ("x-amzn-RequestId", "req-" + i));
        }

        var ex = await Should.ThrowAsync<SqsException>(() => CreateClient(handler, maxRetries: 2).GetQueueUrlAsync("q", Ct));
        ex.ErrorCode.ShouldBe("ServiceUnavailable");
        ex.RequestId.ShouldBe("req-2");
        handler.Requests.Count.ShouldBe(3);
    }

    [Fact]
    public async Task InvokeAsync_ClientError_ThrowsTypedExceptionWithoutRetry()
    {
        var handler = new FakeHttpHandler().Respond(
            HttpStatusCode.BadRequest,
            """{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}""",
            ("x-amzn-RequestId", "req-1"),
            ("x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"));

        var ex = await Should.ThrowAsync<SqsException>(() => CreateClient(handler).GetQueueUrlAsync("missing", Ct));

        ex.ErrorCode.ShouldBe("QueueDoesNotExist");
        ex.RequestId.ShouldBe("req-1");
        ex.QueryErrorCode.ShouldBe("AWS.SimpleQueueService.NonExistentQueue");
        ex.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        ex.Message.ShouldContain("does not exist");
        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task ReceiveMessageAsync_LoneSurrogateInAttribute_DoesNotFailTheBatch()
    {
        var handler = new FakeHttpHandler().Respond(
            HttpStatusCode.OK,
            """{"Messages":[{"MessageId":"m","Body":"b\ud800","MessageAttributes":{"X-Correlation-ID":{"DataType":"String","StringValue":"a\ud800b\n"}}}]}""");

        var response = await CreateClient(handler).ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = "http://q" }, Ct);

        var message = response.Messages.ShouldHaveSingleItem();
        message.MessageAttributes!["X-Correlation-ID"].StringValue.ShouldBe("a\ud800b\n");
        message.Body.ShouldBe("b\ud800");
    }
}
