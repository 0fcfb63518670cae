using System.Net;
using System.Text;

namespace Correlation.Messaging.RabbitMq.Tests.Infrastructure;

/// <summary>
/// The management API reader never turns an HTTP error into "the queue is empty" (which would let an error-queue check
/// pass unread): only 404, a queue not declared yet, reads as empty.
/// </summary>
public sealed class ManagementApiTests
{
    private static readonly Uri Management = new("http://guest:guest@127.0.0.1:15672/");

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.BadRequest)]
    public async Task PeekAsync_HttpError_Throws(HttpStatusCode status)
    {
        using var api = new ManagementApi(Management, new Stub(status, "{\"error\":\"boom\"}"));

        var ex = await Should.ThrowAsync<HttpRequestException>(() => api.PeekAsync("orders_error"));

        ex.StatusCode.ShouldBe(status);
        ex.Message.ShouldContain("orders_error");
    }

    [Fact]
    public async Task PeekAsync_QueueNotFound_Empty()
    {
        using var api = new ManagementApi(Management, new Stub(HttpStatusCode.NotFound, "{\"error\":\"Object Not Found\"}"));

        (await api.PeekAsync("not-declared-yet")).ShouldBeEmpty();
    }

    [Fact]
    public async Task PeekAsync_Messages_Parsed()
    {
        const string json = "[{\"payload\":\"hello\",\"properties\":{\"correlation_id\":\"c-1\",\"message_id\":\"m-1\",\"headers\":{\"X-Correlation-ID\":\"c-1\"}}}]";
        using var api = new ManagementApi(Management, new Stub(HttpStatusCode.OK, json));

        var message = (await api.PeekAsync("q")).ShouldHaveSingleItem();

        message.Payload.ShouldBe("hello");
        message.CorrelationId.ShouldBe("c-1");
        message.Header("X-Correlation-ID").ShouldBe("c-1");
    }

    private sealed class Stub(HttpStatusCode status, string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }
}
