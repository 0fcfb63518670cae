using Microsoft.Extensions.Configuration;

namespace Demo.Shared;

/// <summary>
/// Broker addresses, read from the variables <c>eng/brokers.sh env</c> prints (RABBITMQ_URI, KAFKA_BOOTSTRAP_SERVERS,
/// KAFKA_MOCK_CONTROL, SQS_SERVICE_URL), with the docker-compose defaults as fallback.
/// </summary>
public static class DemoSettings
{
    /// <summary>Gets the AMQP URI of RabbitMQ.</summary>
    public static Uri RabbitMqUri(IConfiguration configuration) =>
        new(configuration["RABBITMQ_URI"] ?? "amqp://guest:guest@127.0.0.1:5672/");

    /// <summary>Gets the Kafka bootstrap servers.</summary>
    public static string KafkaBootstrapServers(IConfiguration configuration) =>
        configuration["KAFKA_BOOTSTRAP_SERVERS"] ?? "localhost:9092";

    /// <summary>Gets the control port of the librdkafka mock cluster (<c>host:port</c>), when the demo runs on it.</summary>
    public static string? KafkaMockControl(IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(configuration["KAFKA_MOCK_CONTROL"]) ? null : configuration["KAFKA_MOCK_CONTROL"];

    /// <summary>Gets the SQS endpoint (an emulator in the demo).</summary>
    public static Uri SqsServiceUrl(IConfiguration configuration) =>
        new(configuration["SQS_SERVICE_URL"] ?? "http://127.0.0.1:9324");
}
