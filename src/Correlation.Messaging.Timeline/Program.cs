using System.Text;
using Correlation.Messaging.Timeline.Cli;

try
{
    if (!Console.IsOutputRedirected)
    {
        Console.OutputEncoding = Encoding.UTF8;
    }
}
catch (IOException)
{
    // Keep the console's encoding.
}

var color = !Console.IsOutputRedirected
    && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
    && !string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal);

var environment = new CommandEnvironment(
    Console.Out,
    Console.Error,
    Console.IsInputRedirected ? Console.OpenStandardInput : null,
    Environment.CurrentDirectory,
    color,
    ShowProgress: !Console.IsErrorRedirected);

return TimelineCommand.Run(args, environment);
