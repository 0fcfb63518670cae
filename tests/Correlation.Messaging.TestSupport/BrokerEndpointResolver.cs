using System.Collections.Concurrent;

namespace Correlation.Messaging.TestSupport;

/// <summary>Where a broker endpoint of a test run came from.</summary>
public enum BrokerEndpointSource
{
    /// <summary>Neither the environment nor a container: the test fails under CI and skips locally.</summary>
    Unavailable,

    /// <summary>An environment variable or <c>eng/.run/brokers.env</c> (<c>eng/brokers.sh up</c>, docker compose, the user).</summary>
    Environment,

    /// <summary>A broker container started with Testcontainers, because a Docker engine answered.</summary>
    Container,
}

/// <summary>The endpoint chosen for one broker variable, or why there is none.</summary>
/// <param name="Source">Where it came from.</param>
/// <param name="Endpoint">The endpoint, or <see langword="null"/> when <paramref name="Source"/> is <see cref="BrokerEndpointSource.Unavailable"/>.</param>
/// <param name="Reason">Why it is unavailable, or <see langword="null"/>.</param>
public readonly record struct BrokerResolution(BrokerEndpointSource Source, string? Endpoint, string? Reason);

/// <summary>
/// Chooses a broker endpoint in a fixed order: (1) the environment; (2) else a Testcontainers broker, when a Docker
/// engine answers; (3) else unavailable, which <see cref="BrokerEndpoints.Require"/> turns into a failure under CI and a
/// visible skip locally.
/// </summary>
/// <remarks>
/// The environment lookup, the Docker probe and the container start are injected, so the order is unit-tested on a
/// machine without Docker. A broker's endpoints come from one source: when some of its variables are configured, the
/// others are never filled in from a container. Docker is probed at most once, and each broker's container started at
/// most once, per resolver.
/// </remarks>
public sealed class BrokerEndpointResolver
{
    /// <summary>The variables each broker's container provides.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> BrokerVariables = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["rabbitmq"] = [BrokerEndpoints.RabbitMqUriVariable, BrokerEndpoints.RabbitMqManagementUriVariable],
        ["kafka"] = [BrokerEndpoints.KafkaBootstrapVariable],
        ["sqs"] = [BrokerEndpoints.SqsServiceUrlVariable],
    };

    private readonly Func<string, string?> _find;
    private readonly Lazy<bool> _dockerAnswers;
    private readonly Func<string, IReadOnlyDictionary<string, string>> _startContainer;
    private readonly ConcurrentDictionary<string, Lazy<IReadOnlyDictionary<string, string>>> _containers = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="BrokerEndpointResolver"/> class.</summary>
    /// <param name="find">Reads a configured variable, or <see langword="null"/>.</param>
    /// <param name="dockerAnswers">Whether a Docker engine answers; called at most once, and only when the environment has nothing.</param>
    /// <param name="startContainer">Starts a broker's container and returns its variables (see <see cref="BrokerVariables"/>).</param>
    public BrokerEndpointResolver(Func<string, string?> find, Func<bool> dockerAnswers, Func<string, IReadOnlyDictionary<string, string>> startContainer)
    {
        _find = find;
        _dockerAnswers = new Lazy<bool>(dockerAnswers, LazyThreadSafetyMode.ExecutionAndPublication);
        _startContainer = startContainer;
    }

    /// <summary>Resolves one broker variable.</summary>
    /// <param name="variable">The variable, for example <c>RABBITMQ_URI</c>.</param>
    /// <param name="broker">The broker: <c>rabbitmq</c>, <c>kafka</c> or <c>sqs</c>.</param>
    /// <returns>The endpoint and its source.</returns>
    public BrokerResolution Resolve(string variable, string broker)
    {
        if (_find(variable) is { } configured)
        {
            return new(BrokerEndpointSource.Environment, configured, null);
        }

        var siblings = BrokerVariables.TryGetValue(broker, out var names) ? names : [];
        if (siblings.FirstOrDefault(name => name != variable && _find(name) is not null) is { } configuredSibling)
        {
            return new(BrokerEndpointSource.Unavailable, null, $"{variable} is not set although {configuredSibling} is: set both, or neither to let Testcontainers start '{broker}'.");
        }

        if (!siblings.Contains(variable))
        {
            return new(BrokerEndpointSource.Unavailable, null, $"{variable} is not set, and no container provides it.");
        }

        if (!_dockerAnswers.Value)
        {
            return new(BrokerEndpointSource.Unavailable, null, $"{variable} is not set, and no Docker engine answered for Testcontainers.");
        }

        var started = _containers.GetOrAdd(broker, b => new Lazy<IReadOnlyDictionary<string, string>>(() => _startContainer(b), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
        return started.TryGetValue(variable, out var endpoint)
            ? new(BrokerEndpointSource.Container, endpoint, null)
            : new(BrokerEndpointSource.Unavailable, null, $"The '{broker}' container provides no {variable}.");
    }
}
