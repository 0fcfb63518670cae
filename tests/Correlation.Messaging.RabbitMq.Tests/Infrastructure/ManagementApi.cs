using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Correlation.Messaging.RabbitMq.Tests.Infrastructure;

/// <summary>
/// The RabbitMQ management HTTP API: an independent, non-.NET reader of what is on the broker, and queue clean-up.
/// </summary>
public sealed class ManagementApi : IDisposable
{
    private readonly HttpClient _http;

    public ManagementApi(Uri managementUri)
        : this(managementUri, new HttpClientHandler())
    {
    }

    /// <summary>Initializes the API over <paramref name="handler"/> (tests of this class use a stub).</summary>
    public ManagementApi(Uri managementUri, HttpMessageHandler handler)
    {
        var builder = new UriBuilder(managementUri) { UserName = string.Empty, Password = string.Empty, Path = "/api/" };
        _http = new HttpClient(handler) { BaseAddress = builder.Uri, Timeout = TimeSpan.FromSeconds(15) };
        var user = Uri.UnescapeDataString(managementUri.UserInfo is { Length: > 0 } info ? info : "guest:guest");
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user)));
    }

    /// <summary>
    /// Reads up to <paramref name="count"/> messages and leaves them in the queue (<c>ack_requeue_true</c>). A queue that
    /// does not exist (yet) holds nothing: 404 gives an empty list.
    /// </summary>
    /// <exception cref="HttpRequestException">Any other HTTP error (authentication, server error…): an empty list would
    /// let a check of "nothing in the error queue" pass without having read it.</exception>
    public async Task<IReadOnlyList<ManagementMessage>> PeekAsync(string queue, int count = 10)
    {
        using var response = await _http.PostAsJsonAsync(
            $"queues/%2F/{Uri.EscapeDataString(queue)}/get",
            new { count, ackmode = "ack_requeue_true", encoding = "auto", truncate = 50000 });
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return [];
        }

        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new HttpRequestException(
                $"RabbitMQ management API: reading queue '{queue}' answered {(int)response.StatusCode} {response.ReasonPhrase}: {body[..Math.Min(body.Length, 200)]}",
                null,
                response.StatusCode);
        }

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. document.RootElement.EnumerateArray().Select(ManagementMessage.From)];
    }

    /// <summary>Polls until the queue holds at least <paramref name="count"/> messages, then returns them.</summary>
    public async Task<IReadOnlyList<ManagementMessage>> WaitForMessagesAsync(string queue, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        IReadOnlyList<ManagementMessage> messages = [];
        while (DateTime.UtcNow < deadline)
        {
            messages = await PeekAsync(queue, Math.Max(count, 10));
            if (messages.Count >= count)
            {
                return messages;
            }

            await Task.Delay(100);
        }

        return messages;
    }

    public async Task DeleteQueueAsync(string queue)
    {
        using var _ = await _http.DeleteAsync($"queues/%2F/{Uri.EscapeDataString(queue)}");
    }

    public async Task DeleteExchangeAsync(string exchange)
    {
        using var _ = await _http.DeleteAsync($"exchanges/%2F/{Uri.EscapeDataString(exchange)}");
    }

    public async Task<IReadOnlyList<string>> ListExchangesAsync()
    {
        using var document = JsonDocument.Parse(await _http.GetStringAsync("exchanges/%2F?columns=name"));
        return [.. document.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString() ?? string.Empty)];
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>One message as the management API shows it: AMQP properties and headers as JSON.</summary>
public sealed record ManagementMessage(string Payload, string? CorrelationId, string? MessageId, IReadOnlyDictionary<string, JsonElement> Headers)
{
    public string? Header(string name) =>
        Headers.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    internal static ManagementMessage From(JsonElement element)
    {
        var properties = element.GetProperty("properties");
        var headers = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Object)
        {
            foreach (var header in h.EnumerateObject())
            {
                headers[header.Name] = header.Value.Clone();
            }
        }

        return new ManagementMessage(
            element.GetProperty("payload").GetString() ?? string.Empty,
            String(properties, "correlation_id"),
            String(properties, "message_id"),
            headers);
    }

    private static string? String(JsonElement properties, string name) =>
        properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name, out var value) ? value.GetString() : null;
}
