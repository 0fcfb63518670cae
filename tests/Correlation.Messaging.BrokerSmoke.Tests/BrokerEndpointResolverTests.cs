using Correlation.Messaging.TestSupport;

namespace Correlation.Messaging.BrokerSmoke.Tests;

/// <summary>
/// The order in which broker fixtures find their endpoints: (1) the environment, (2) Testcontainers when a Docker engine
/// answers, (3) unavailable (fail under CI, skip locally). The Docker probe and the container start are fakes that count
/// their calls, so the order is checked here without Docker.
/// </summary>
public sealed class BrokerEndpointResolverTests
{
    private const string ContainerAmqp = "amqp://correlation:correlation@container:32768/";
    private const string ContainerManagement = "http://correlation:correlation@container:32769/";

    [Fact]
    public void Resolve_EndpointInEnvironment_UsesItWithoutProbingDocker()
    {
        var fakes = new Fakes(dockerAnswers: true, (BrokerEndpoints.RabbitMqUriVariable, "amqp://native:5672/"));

        var resolution = fakes.Resolver.Resolve(BrokerEndpoints.RabbitMqUriVariable, "rabbitmq");

        resolution.ShouldBe(new BrokerResolution(BrokerEndpointSource.Environment, "amqp://native:5672/", null));
        fakes.Probes.ShouldBe(0);
        fakes.Starts.ShouldBeEmpty();
    }

    [Fact]
    public void Resolve_NothingConfiguredDockerAnswers_StartsTheBrokersContainerOnceForAllItsVariables()
    {
        var fakes = new Fakes(dockerAnswers: true);

        var amqp = fakes.Resolver.Resolve(BrokerEndpoints.RabbitMqUriVariable, "rabbitmq");
        var management = fakes.Resolver.Resolve(BrokerEndpoints.RabbitMqManagementUriVariable, "rabbitmq");
        var again = fakes.Resolver.Resolve(BrokerEndpoints.RabbitMqUriVariable, "rabbitmq");

        amqp.ShouldBe(new BrokerResolution(BrokerEndpointSource.Container, ContainerAmqp, null));
        management.ShouldBe(new BrokerResolution(BrokerEndpointSource.Container, ContainerManagement, null));
        again.ShouldBe(amqp);
        fakes.Starts.ShouldBe(["rabbitmq"]);
        fakes.Probes.ShouldBe(1);
    }

    [Fact]
    public void Resolve_EachBroker_StartsOnlyItsOwnContainer()
    {
        var fakes = new Fakes(dockerAnswers: true);

        fakes.Resolver.Resolve(BrokerEndpoints.KafkaBootstrapVariable, "kafka").Endpoint.ShouldBe("container:9092");
        fakes.Resolver.Resolve(BrokerEndpoints.SqsServiceUrlVariable, "sqs").Endpoint.ShouldBe("http://container:4566");

        fakes.Starts.ShouldBe(["kafka", "sqs"]);
        fakes.Probes.ShouldBe(1);
    }

    [Fact]
    public void Resolve_NothingConfiguredNoDocker_UnavailableWithReasonAndNoContainer()
    {
        var fakes = new Fakes(dockerAnswers: false);

        var resolution = fakes.Resolver.Resolve(BrokerEndpoints.KafkaBootstrapVariable, "kafka");

        resolution.Source.ShouldBe(BrokerEndpointSource.Unavailable);
        resolution.Endpoint.ShouldBeNull();
        resolution.Reason!.ShouldContain("no Docker engine answered");
        fakes.Starts.ShouldBeEmpty();
    }

    [Fact]
    public void Resolve_PartOfBrokerConfigured_NeverMixesInAContainer()
    {
        var fakes = new Fakes(dockerAnswers: true, (BrokerEndpoints.RabbitMqUriVariable, "amqp://native:5672/"));

        var management = fakes.Resolver.Resolve(BrokerEndpoints.RabbitMqManagementUriVariable, "rabbitmq");

        management.Source.ShouldBe(BrokerEndpointSource.Unavailable);
        management.Reason!.ShouldContain(BrokerEndpoints.RabbitMqUriVariable);
        fakes.Starts.ShouldBeEmpty();
        fakes.Probes.ShouldBe(0);
    }

    [Fact]
    public void Resolve_VariableNoContainerProvides_UnavailableWithoutProbing()
    {
        var fakes = new Fakes(dockerAnswers: true);

        var control = fakes.Resolver.Resolve(BrokerEndpoints.KafkaMockControlVariable, "kafka");

        control.Source.ShouldBe(BrokerEndpointSource.Unavailable);
        fakes.Starts.ShouldBeEmpty();
    }

    [Fact]
    public async Task Resolve_ConcurrentCalls_StartOneContainer()
    {
        var fakes = new Fakes(dockerAnswers: true, startDelay: TimeSpan.FromMilliseconds(50));

        var all = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => fakes.Resolver.Resolve(BrokerEndpoints.SqsServiceUrlVariable, "sqs"))));

        all.ShouldAllBe(r => r.Source == BrokerEndpointSource.Container);
        fakes.Starts.ShouldBe(["sqs"]);
        fakes.Probes.ShouldBe(1);
    }

    [Fact]
    public void DockerAnswers_RealProbe_ReturnsAnAnswerWithoutThrowing()
    {
        // On the project's build machine there is no Docker engine (a docker client, but no daemon): false there.
        Should.NotThrow(() => BrokerContainers.DockerAnswers());
    }

    private sealed class Fakes
    {
        private readonly Dictionary<string, string> _environment;
        private readonly TimeSpan _startDelay;
        private int _probes;

        public Fakes(bool dockerAnswers, params (string Variable, string Value)[] environment)
            : this(dockerAnswers, TimeSpan.Zero, environment)
        {
        }

        public Fakes(bool dockerAnswers, TimeSpan startDelay, params (string Variable, string Value)[] environment)
        {
            _environment = environment.ToDictionary(e => e.Variable, e => e.Value);
            _startDelay = startDelay;
            Resolver = new BrokerEndpointResolver(
                variable => _environment.GetValueOrDefault(variable),
                () =>
                {
                    Interlocked.Increment(ref _probes);
                    return dockerAnswers;
                },
                Start);
        }

        public BrokerEndpointResolver Resolver { get; }

        public int Probes => Volatile.Read(ref _probes);

        public System.Collections.Concurrent.ConcurrentQueue<string> Starts { get; } = new();

        private IReadOnlyDictionary<string, string> Start(string broker)
        {
            Starts.Enqueue(broker);
            Thread.Sleep(_startDelay);
            return broker switch
            {
                "rabbitmq" => new Dictionary<string, string>
                {
                    [BrokerEndpoints.RabbitMqUriVariable] = ContainerAmqp,
                    [BrokerEndpoints.RabbitMqManagementUriVariable] = ContainerManagement,
                },
                "kafka" => new Dictionary<string, string> { [BrokerEndpoints.KafkaBootstrapVariable] = "container:9092" },
                "sqs" => new Dictionary<string, string> { [BrokerEndpoints.SqsServiceUrlVariable] = "http://container:4566" },
                _ => throw new ArgumentOutOfRangeException(nameof(broker)),
            };
        }
    }
}
