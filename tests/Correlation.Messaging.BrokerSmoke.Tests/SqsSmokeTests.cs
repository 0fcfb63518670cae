using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Correlation.Messaging.TestSupport;

namespace Correlation.Messaging.BrokerSmoke.Tests;

/// <summary>A plain HTTP round trip in the SQS JSON protocol, with no client library at all.</summary>
public sealed class SqsSmokeTests
{
    [Fact]
    public async Task PlainHttp_CreateSendReceive_RoundTripsBodyAndAttribute()
    {
        using var http = new HttpClient { BaseAddress = BrokerEndpoints.SqsServiceUrl };
        var ct = TestContext.Current.CancellationToken;

        var created = await Call(http, "CreateQueue", new JsonObject { ["QueueName"] = $"smoke-{Guid.NewGuid():N}" }, ct);
        var queueUrl = created["QueueUrl"]!.GetValue<string>();

        await Call(http, "SendMessage", new JsonObject
        {
            ["QueueUrl"] = queueUrl,
            ["MessageBody"] = "hello",
            ["MessageAttributes"] = new JsonObject { ["smoke"] = new JsonObject { ["DataType"] = "String", ["StringValue"] = "yes" } },
        }, ct);

        var received = await Call(http, "ReceiveMessage", new JsonObject
        {
            ["QueueUrl"] = queueUrl,
            ["MessageAttributeNames"] = new JsonArray("All"),
            ["WaitTimeSeconds"] = 5,
        }, ct);

        var message = received["Messages"]!.AsArray().ShouldHaveSingleItem()!;
        message["Body"]!.GetValue<string>().ShouldBe("hello");
        message["MessageAttributes"]!["smoke"]!["StringValue"]!.GetValue<string>().ShouldBe("yes");
    }

    private static async Task<JsonNode> Call(HttpClient http, string operation, JsonObject body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.0");
        request.Headers.Add("X-Amz-Target", "AmazonSQS." + operation);
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        response.IsSuccessStatusCode.ShouldBeTrue(text);
        return JsonNode.Parse(string.IsNullOrEmpty(text) ? "{}" : text)!;
    }
}
