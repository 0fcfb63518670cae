using Amazon.Runtime;

namespace Correlation.Messaging.Sqs.Client;

/// <summary>
/// Options of <see cref="SqsClient"/>.
/// </summary>
public sealed class SqsClientOptions
{
    /// <summary>Gets or sets the AWS region, used for signing and for the default endpoint.</summary>
    /// <value>The default is <see langword="null"/>: the <c>AWS_REGION</c> or <c>AWS_DEFAULT_REGION</c> environment variable, else <c>us-east-1</c>.</value>
    public string? Region { get; set; }

    /// <summary>Gets or sets the service endpoint, for example an emulator's <c>http://127.0.0.1:9324</c>.</summary>
    /// <value>The default is <see langword="null"/>: <c>https://sqs.{Region}.amazonaws.com</c>.</value>
    public Uri? ServiceUrl { get; set; }

    /// <summary>Gets or sets the credentials.</summary>
    /// <value>
    /// The default is <see langword="null"/>: AWSSDK.Core's default chain (environment variables, shared profile,
    /// container and instance roles), resolved once on first use.
    /// </value>
    public AWSCredentials? Credentials { get; set; }

    /// <summary>Gets or sets how many times a throttled, 5xx or transport-failed call is retried.</summary>
    /// <value>The default is 3.</value>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Gets or sets the base delay of the jittered exponential backoff (full jitter: a random delay up to base × 2^attempt).</summary>
    /// <value>The default is 100 milliseconds.</value>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets or sets the upper bound of one backoff delay.</summary>
    /// <value>The default is 5 seconds.</value>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    internal string ResolveRegion() =>
        Region ?? Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") ?? "us-east-1";

    internal Uri ResolveServiceUrl(string region) => ServiceUrl ?? new Uri($"https://sqs.{region}.amazonaws.com/");
}
