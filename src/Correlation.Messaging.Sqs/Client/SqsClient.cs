using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Correlation.Messaging.Sqs.Client.Internal;
using Correlation.Messaging.Sqs.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Correlation.Messaging.Sqs.Client;

/// <summary>
/// A small SQS client over the SQS JSON protocol (<c>application/x-amz-json-1.0</c>, <c>X-Amz-Target: AmazonSQS.*</c>),
/// signed with SigV4 by AWSSDK.Core, with jittered exponential backoff on throttling, 5xx and transport errors.
/// </summary>
/// <remarks>
/// This client exists only because the official <c>AWSSDK.SQS</c> package could not be obtained where this library
/// is built. It covers the ten operations the correlation package needs and nothing more; prefer the official SDK
/// where you can. It does not verify response MD5 digests. Instances are thread-safe.
/// </remarks>
public sealed class SqsClient : ISqsClient
{
    /// <summary>The name of the <see cref="HttpClient"/> the client takes from <see cref="IHttpClientFactory"/>.</summary>
    public const string HttpClientName = "Correlation.Messaging.Sqs";

    private const string JsonContentType = "application/x-amz-json-1.0";
    private const string TargetPrefix = "AmazonSQS.";

    private static readonly MediaTypeHeaderValue ContentType = new(JsonContentType);
    private static readonly ProductInfoHeaderValue UserAgent = new("Correlation.Messaging.Sqs", "0.1");
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "RequestThrottled", "ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException",
        "RequestThrottledException", "RequestLimitExceeded", "SlowDown", "ProvisionedThroughputExceededException",
    };

    private readonly Func<HttpClient> _httpClient;
    private readonly SqsClientOptions _options;
    private readonly string _region;
    private readonly Uri _endpoint;
    private readonly string _host;
    private readonly string _canonicalPath;
    private readonly ILogger _logger;
    private readonly Lazy<Task<AWSCredentials>> _credentials;

    /// <summary>Initializes a new instance of the <see cref="SqsClient"/> class over an <see cref="HttpClient"/> you own.</summary>
    /// <param name="options">The options; read once.</param>
    /// <param name="httpClient">The HTTP client.</param>
    /// <param name="loggerFactory">The logger factory, or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="httpClient"/> is <see langword="null"/>.</exception>
    public SqsClient(SqsClientOptions options, HttpClient httpClient, ILoggerFactory? loggerFactory = null)
        : this(options, ReturnSame(httpClient ?? throw new ArgumentNullException(nameof(httpClient))), loggerFactory)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SqsClient"/> class that takes its <see cref="HttpClient"/> from a factory.</summary>
    /// <param name="options">The options; read once.</param>
    /// <param name="httpClientFactory">The factory; the client named <see cref="HttpClientName"/> is created per call.</param>
    /// <param name="loggerFactory">The logger factory, or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="httpClientFactory"/> is <see langword="null"/>.</exception>
    public SqsClient(SqsClientOptions options, IHttpClientFactory httpClientFactory, ILoggerFactory? loggerFactory = null)
        : this(options, CreateNamed(httpClientFactory ?? throw new ArgumentNullException(nameof(httpClientFactory))), loggerFactory)
    {
    }

    private SqsClient(SqsClientOptions options, Func<HttpClient> httpClient, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _httpClient = httpClient;
        _region = options.ResolveRegion();
        _endpoint = options.ResolveServiceUrl(_region);
        _host = _endpoint.IsDefaultPort ? _endpoint.IdnHost : _endpoint.IdnHost + ":" + _endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _canonicalPath = SigV4.CanonicalPath(_endpoint);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(Log.CategoryName);
        var explicitCredentials = options.Credentials;
        _credentials = new(
            () => explicitCredentials is not null ? Task.FromResult(explicitCredentials) : DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync(),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Gets the endpoint the client calls.</summary>
    public Uri ServiceUrl => _endpoint;

    /// <summary>Gets the region the client signs for.</summary>
    public string Region => _region;

    /// <inheritdoc />
    public Task<SendMessageResponse> SendMessageAsync(SendMessageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return InvokeAsync("SendMessage", request, SqsJsonContext.Default.SendMessageRequest, SqsJsonContext.Default.SendMessageResponse, cancellationToken);
    }

    /// <inheritdoc />
    public Task<SendMessageBatchResponse> SendMessageBatchAsync(SendMessageBatchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return InvokeAsync("SendMessageBatch", request, SqsJsonContext.Default.SendMessageBatchRequest, SqsJsonContext.Default.SendMessageBatchResponse, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ReceiveMessageResponse> ReceiveMessageAsync(ReceiveMessageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return InvokeAsync("ReceiveMessage", request, SqsJsonContext.Default.ReceiveMessageRequest, SqsJsonContext.Default.ReceiveMessageResponse, cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteMessageAsync(string queueUrl, string receiptHandle, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueUrl);
        ArgumentException.ThrowIfNullOrEmpty(receiptHandle);
        return InvokeAsync(
            "DeleteMessage",
            new DeleteMessageWireRequest { QueueUrl = queueUrl, ReceiptHandle = receiptHandle },
            SqsJsonContext.Default.DeleteMessageWireRequest,
            SqsJsonContext.Default.EmptyResponse,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<DeleteMessageBatchResponse> DeleteMessageBatchAsync(string queueUrl, IEnumerable<DeleteMessageBatchRequestEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueUrl);
        ArgumentNullException.ThrowIfNull(entries);
        return InvokeAsync(
            "DeleteMessageBatch",
            new DeleteMessageBatchWireRequest { QueueUrl = queueUrl, Entries = [.. entries] },
            SqsJsonContext.Default.DeleteMessageBatchWireRequest,
            SqsJsonContext.Default.DeleteMessageBatchResponse,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task ChangeMessageVisibilityAsync(string queueUrl, string receiptHandle, int visibilityTimeoutSeconds, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueUrl);
        ArgumentException.ThrowIfNullOrEmpty(receiptHandle);
        ArgumentOutOfRangeException.ThrowIfNegative(visibilityTimeoutSeconds);
        return InvokeAsync(
            "ChangeMessageVisibility",
            new ChangeMessageVisibilityWireRequest { QueueUrl = queueUrl, ReceiptHandle = receiptHandle, VisibilityTimeout = visibilityTimeoutSeconds },
            SqsJsonContext.Default.ChangeMessageVisibilityWireRequest,
            SqsJsonContext.Default.EmptyResponse,
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<string> GetQueueUrlAsync(string queueName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueName);
        var response = await InvokeAsync(
            "GetQueueUrl",
            new GetQueueUrlWireRequest { QueueName = queueName },
            SqsJsonContext.Default.GetQueueUrlWireRequest,
            SqsJsonContext.Default.QueueUrlResponse,
            cancellationToken).ConfigureAwait(false);
        return response.QueueUrl ?? throw new SqsException("GetQueueUrl returned no QueueUrl.");
    }

    /// <inheritdoc />
    public async Task<string> CreateQueueAsync(string queueName, IDictionary<string, string>? attributes = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueName);
        var response = await InvokeAsync(
            "CreateQueue",
            new CreateQueueWireRequest { QueueName = queueName, Attributes = attributes is null ? null : new(attributes) },
            SqsJsonContext.Default.CreateQueueWireRequest,
            SqsJsonContext.Default.QueueUrlResponse,
            cancellationToken).ConfigureAwait(false);
        return response.QueueUrl ?? throw new SqsException("CreateQueue returned no QueueUrl.");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> GetQueueAttributesAsync(string queueUrl, IEnumerable<string> attributeNames, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueUrl);
        ArgumentNullException.ThrowIfNull(attributeNames);
        var response = await InvokeAsync(
            "GetQueueAttributes",
            new GetQueueAttributesWireRequest { QueueUrl = queueUrl, AttributeNames = [.. attributeNames] },
            SqsJsonContext.Default.GetQueueAttributesWireRequest,
            SqsJsonContext.Default.QueueAttributesWireModel,
            cancellationToken).ConfigureAwait(false);
        return response.Attributes ?? new Dictionary<string, string>();
    }

    /// <inheritdoc />
    public Task SetQueueAttributesAsync(string queueUrl, IDictionary<string, string> attributes, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueUrl);
        ArgumentNullException.ThrowIfNull(attributes);
        return InvokeAsync(
            "SetQueueAttributes",
            new QueueAttributesWireModel { QueueUrl = queueUrl, Attributes = new(attributes) },
            SqsJsonContext.Default.QueueAttributesWireModel,
            SqsJsonContext.Default.EmptyResponse,
            cancellationToken);
    }

    internal static bool IsRetryable(HttpStatusCode status, string? errorCode) =>
        (int)status >= 500 || status == HttpStatusCode.TooManyRequests || (errorCode is not null && ThrottlingCodes.Contains(errorCode));

    internal static SqsException ParseError(HttpResponseMessage response, byte[] body)
    {
        string? type = null;
        string? message = null;
        if (body.Length > 0)
        {
            try
            {
                var error = JsonSerializer.Deserialize(body, SqsJsonContext.Default.ErrorResponse);
                type = error?.Type;
                message = error?.Message ?? error?.MessageLower;
            }
            catch (JsonException)
            {
                message = System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 512));
            }
        }

        if (type is null && response.Headers.TryGetValues("x-amzn-ErrorType", out var errorTypes))
        {
            type = errorTypes.FirstOrDefault()?.Split(':')[0];
        }

        var code = type is null ? "Http" + ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : type[(type.LastIndexOf('#') + 1)..];
        var requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null;
        var queryError = response.Headers.TryGetValues("x-amzn-query-error", out var queryErrors) ? queryErrors.FirstOrDefault()?.Split(';')[0] : null;
        return new SqsException(message ?? response.ReasonPhrase ?? "No error message.", code, requestId, response.StatusCode, queryError);
    }

    private static Func<HttpClient> ReturnSame(HttpClient client) => () => client;

    private static Func<HttpClient> CreateNamed(IHttpClientFactory factory) => () => factory.CreateClient(HttpClientName);

    private async Task<TResponse> InvokeAsync<TRequest, TResponse>(
        string operation,
        TRequest request,
        JsonTypeInfo<TRequest> requestInfo,
        JsonTypeInfo<TResponse> responseInfo,
        CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(request, requestInfo);
        var payloadHash = SigV4.HashPayload(payload);
        var credentials = await _credentials.Value.ConfigureAwait(false);

        for (var attempt = 0; ; attempt++)
        {
            var immutable = await credentials.GetCredentialsAsync().ConfigureAwait(false);
            using var message = CreateRequest(operation, payload, payloadHash, immutable);
            HttpResponseMessage response;
            try
            {
                response = await _httpClient().SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (attempt < _options.MaxRetries)
            {
                await BackOffAsync(operation, ex.Message, attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested && attempt < _options.MaxRetries)
            {
                await BackOffAsync(operation, "timeout", attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }

            using (response)
            {
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return JsonSerializer.Deserialize(body.Length == 0 ? "{}"u8 : body, responseInfo)
                        ?? throw new SqsException($"SQS {operation} returned an empty response.");
                }

                var error = ParseError(response, body);
                if (attempt < _options.MaxRetries && IsRetryable(response.StatusCode, error.ErrorCode))
                {
                    await BackOffAsync(operation, error.ErrorCode!, attempt, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                throw error;
            }
        }
    }

    private HttpRequestMessage CreateRequest(string operation, byte[] payload, string payloadHash, ImmutableCredentials credentials)
    {
        var now = DateTime.UtcNow;
        var amzDate = SigV4.FormatDate(now);
        var target = TargetPrefix + operation;

        var message = new HttpRequestMessage(HttpMethod.Post, _endpoint)
        {
            Content = new ByteArrayContent(payload),
        };
        message.Content.Headers.ContentType = ContentType;
        message.Headers.Host = _host;
        message.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        message.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        message.Headers.UserAgent.Add(UserAgent);

        List<KeyValuePair<string, string>> headers =
        [
            new("content-type", JsonContentType),
            new("host", _host),
            new("x-amz-date", amzDate),
            new("x-amz-target", target),
        ];
        if (credentials.UseToken)
        {
            message.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.Token);
            headers.Add(new("x-amz-security-token", credentials.Token));
        }

        var canonical = SigV4.BuildCanonicalRequest("POST", _canonicalPath, string.Empty, headers, payloadHash, out var signedHeaders);
        message.Headers.TryAddWithoutValidation("Authorization", SigV4.Sign(credentials, _region, now, SigV4.Service, signedHeaders, canonical));
        return message;
    }

    private Task BackOffAsync(string operation, string reason, int attempt, CancellationToken cancellationToken)
    {
        var cap = Math.Min(_options.RetryMaxDelay.TotalMilliseconds, _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt));
        var delay = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * cap);
        Log.SqsCallRetrying(_logger, operation, reason, attempt + 1, _options.MaxRetries, (long)delay.TotalMilliseconds);
        return Task.Delay(delay, cancellationToken);
    }
}
