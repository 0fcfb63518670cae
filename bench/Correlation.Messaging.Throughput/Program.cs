// Real-broker throughput, with vs without correlation propagation, interleaved rounds in one run.
//   dotnet run -c Release --project bench/Correlation.Messaging.Throughput -- <broker> [options]
// Brokers: kafka. Start the broker first (eng/brokers.sh up <broker>; eval "$(eng/brokers.sh env)").
// Every harness: /proc/loadavg before and after (a loaded machine makes any ratio doubtful), one statistic with its
// spread as the RESULT line, and exit code 1 when a delivery failed.
using Correlation.Messaging.Throughput;

var broker = args.Length > 0 ? args[0] : string.Empty;
var rest = args.Length > 0 ? args[1..] : [];
Console.WriteLine($"loadavg before: {HarnessArgs.LoadAverage()}");
int exitCode;
try
{
    exitCode = await RunAsync(broker, rest);
}
catch (Exception ex)
{
    Console.Error.WriteLine($"the run failed: {ex}");
    exitCode = 1;
}

Console.WriteLine($"loadavg after:  {HarnessArgs.LoadAverage()}");
if (HarnessArgs.FailedDeliveries > 0)
{
    Console.WriteLine($"failed deliveries: {HarnessArgs.FailedDeliveries}: the run is not valid");
    exitCode = exitCode == 0 ? 1 : exitCode;
}

return exitCode;

static async Task<int> RunAsync(string broker, string[] rest)
{
switch (broker)
{
    case "kafka":
        return await Correlation.Messaging.Throughput.Kafka.KafkaThroughput.RunAsync(rest);
    case "soak-kafka":
        return await Correlation.Messaging.Throughput.Kafka.KafkaSoak.RunAsync(rest);
    case "rabbitmq":
        return await Correlation.Messaging.Throughput.RabbitMq.RabbitMqThroughput.RunAsync(rest);
    case "soak-rabbitmq":
        return await Correlation.Messaging.Throughput.RabbitMq.RabbitMqSoak.RunAsync(rest);
    case "sqs":
        return await Correlation.Messaging.Throughput.Sqs.SqsThroughput.RunAsync(rest);
    case "soak-sqs":
        return await Correlation.Messaging.Throughput.Sqs.SqsSoak.RunAsync(rest);
    default:
        Console.Error.WriteLine("usage: Correlation.Messaging.Throughput <kafka> [options]");
        return 2;
}
}
