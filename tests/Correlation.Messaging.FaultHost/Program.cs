// A consumer process for fault tests: the test starts it, waits for the stdout lines saying what it received, and kills
// it with SIGKILL before it acknowledges or commits. Every scenario prints one line per event, flushed immediately.
//   dotnet Correlation.Messaging.FaultHost.dll <scenario> [options]
var scenario = args.Length > 0 ? args[0] : string.Empty;
var rest = args.Length > 0 ? args[1..] : [];
switch (scenario)
{
    case "kafka-consume":
        return Correlation.Messaging.FaultHost.KafkaCrashConsumer.Run(rest);
    case "sqs-consume":
        return await Correlation.Messaging.FaultHost.SqsCrashConsumer.RunAsync(rest);
    case "rabbitmq-consume":
        return await Correlation.Messaging.FaultHost.RabbitMqCrashConsumer.RunAsync(rest);
    default:
        Console.Error.WriteLine($"unknown scenario '{scenario}'; usage: Correlation.Messaging.FaultHost <scenario> [options]");
        return 2;
}
