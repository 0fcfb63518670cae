using Xunit;

namespace Correlation.Messaging.TestSupport;

/// <summary>
/// Broker endpoints for integration tests, read from environment variables (set by <c>eng/brokers.sh up</c>,
/// docker compose, or the user), falling back to the <c>eng/.run/brokers.env</c> file that <c>eng/brokers.sh up</c> writes,
/// and then to brokers that Testcontainers starts when a Docker engine answers (<see cref="BrokerEndpointResolver"/>).
/// </summary>
/// <remarks>
/// A missing endpoint fails the test when <c>CI</c> is set (<c>true</c>, <c>1</c> or <c>yes</c>) and skips it otherwise, always with a message saying how to start the broker.
/// </remarks>
public static class BrokerEndpoints
{
    public const string RabbitMqUriVariable = "RABBITMQ_URI";
    public const string RabbitMqManagementUriVariable = "RABBITMQ_MANAGEMENT_URI";
    public const string KafkaBootstrapVariable = "KAFKA_BOOTSTRAP_SERVERS";
    public const string KafkaMockControlVariable = "KAFKA_MOCK_CONTROL";
    public const string SqsServiceUrlVariable = "SQS_SERVICE_URL";

    private static readonly Lazy<IReadOnlyDictionary<string, string>> EnvFile = new(ReadEnvFile);

    /// <summary>Gets whether the <c>CI</c> variable says CI (<c>true</c>, <c>1</c> or <c>yes</c>, as in <c>eng/test.sh</c> and the build).</summary>
    public static bool IsCi => MeansCi(Environment.GetEnvironmentVariable("CI"));

    /// <summary>Returns whether a value of the <c>CI</c> variable means CI: <c>true</c>, <c>1</c> or <c>yes</c>, in any case.</summary>
    public static bool MeansCi(string? value) =>
        value?.Trim().ToUpperInvariant() is "TRUE" or "1" or "YES";

    public static Uri RabbitMqUri => new(Require(RabbitMqUriVariable, "rabbitmq"));

    public static Uri RabbitMqManagementUri => new(Require(RabbitMqManagementUriVariable, "rabbitmq"));

    public static string KafkaBootstrapServers => Require(KafkaBootstrapVariable, "kafka");

    /// <summary>Gets the control endpoint of the native Kafka mock cluster, or <see langword="null"/> against a real Kafka.</summary>
    public static string? KafkaMockControl => Find(KafkaMockControlVariable);

    public static Uri SqsServiceUrl => new(Require(SqsServiceUrlVariable, "sqs"));

    /// <summary>Gets the repository root (the folder holding Messaging.sln), or <see langword="null"/>.</summary>
    public static string? RepositoryRoot { get; } = FindRepositoryRoot();

    public static string? Find(string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrWhiteSpace(value))
        {
            return value;
        }

        return EnvFile.Value.TryGetValue(variable, out var fromFile) && !string.IsNullOrWhiteSpace(fromFile) ? fromFile : null;
    }

    /// <summary>Gets the resolver behind <see cref="Require"/>: the environment, else Testcontainers when Docker answers.</summary>
    public static BrokerEndpointResolver Resolver { get; } = new(Find, BrokerContainers.DockerAnswers, BrokerContainers.Start);

    /// <summary>
    /// Returns a broker endpoint: from the environment; else from a Testcontainers broker when a Docker engine answers;
    /// else the test fails under CI and skips locally (<see cref="Unavailable"/>).
    /// </summary>
    /// <param name="variable">The variable, for example <c>RABBITMQ_URI</c>.</param>
    /// <param name="broker">The broker: <c>rabbitmq</c>, <c>kafka</c> or <c>sqs</c>.</param>
    /// <returns>The endpoint.</returns>
    public static string Require(string variable, string broker)
    {
        var resolution = Resolver.Resolve(variable, broker);
        if (resolution.Endpoint is { } endpoint)
        {
            return endpoint;
        }

        Unavailable(
            "a broker test cannot run",
            $"Broker '{broker}' is not available: {resolution.Reason} Start it with `eng/brokers.sh up {broker}` " +
            "(or `docker compose up -d --wait`, or a Docker engine for Testcontainers) and export the variables printed by `eng/brokers.sh env`.");
        return null!;
    }

    /// <summary>
    /// Ends a test whose broker or tool is missing: a failure when <c>CI=true</c> (a test that did not run must never pass
    /// unnoticed there), a skip with <paramref name="message"/> otherwise.
    /// </summary>
    /// <param name="what">What cannot run, for the CI failure message.</param>
    /// <param name="message">What is missing and how to provide it.</param>
    /// <param name="failInCi">Whether CI must fail; <see langword="false"/> only where CI legitimately lacks the part.</param>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Unavailable(string what, string message, bool failInCi = true)
    {
        if (IsCi && failInCi)
        {
            throw new InvalidOperationException($"CI=true and {what}. {message}");
        }

        Assert.Skip(message);
        throw new InvalidOperationException("unreachable: Assert.Skip throws");
    }

    private static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Messaging.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    private static IReadOnlyDictionary<string, string> ReadEnvFile()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (RepositoryRoot is null)
        {
            return result;
        }

        var path = Path.Combine(RepositoryRoot, "eng", ".run", "brokers.env");
        if (!File.Exists(path))
        {
            return result;
        }

        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..];
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                result[line[..eq]] = line[(eq + 1)..].Trim('"', '\'');
            }
        }

        return result;
    }
}
