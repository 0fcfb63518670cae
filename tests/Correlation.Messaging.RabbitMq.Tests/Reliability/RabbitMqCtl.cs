using System.Diagnostics;
using System.Net;
using System.Text;
using Correlation.Messaging.TestSupport;
using RabbitMQ.Client;

namespace Correlation.Messaging.RabbitMq.Tests.Reliability;

/// <summary>
/// Runs <c>rabbitmqctl</c> against the broker the tests use: on <c>PATH</c> (or <c>/usr/sbin</c>) where <c>eng/brokers.sh</c>
/// installed RabbitMQ natively, or through <c>docker compose exec rabbitmq rabbitmqctl</c> where it runs the compose file.
/// </summary>
public sealed class RabbitMqCtl
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    private readonly string _fileName;
    private readonly string[] _prefix;

    private RabbitMqCtl(string description, string fileName, params string[] prefix)
    {
        Description = description;
        _fileName = fileName;
        _prefix = prefix;
    }

    /// <summary>Gets how the broker is reached, for messages.</summary>
    public string Description { get; }

    /// <summary>
    /// Finds <c>rabbitmqctl</c> for the broker at <c>RABBITMQ_URI</c>. Without one the test fails when <c>CI=true</c>
    /// and is skipped otherwise.
    /// </summary>
    public static RabbitMqCtl Require()
    {
        var found = Find(out var why);
        if (found is not null)
        {
            return found;
        }

        BrokerEndpoints.Unavailable("the restart test cannot run", "The RabbitMQ restart test needs rabbitmqctl for the broker at RABBITMQ_URI: " + why);
        return null!;
    }

    /// <summary>Runs <c>rabbitmqctl &lt;arguments&gt;</c>; throws with its output when it fails.</summary>
    public async Task<string> RunAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo(_fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in _prefix.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {_fileName}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Description} {string.Join(' ', arguments)} did not finish in {CommandTimeout.TotalSeconds} s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Description} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output} {await error}");
        }

        return await output;
    }

    /// <summary>
    /// Waits until the broker answers again: <c>rabbitmqctl await_startup</c>, then a new AMQP connection and the
    /// management API (other tests read through both).
    /// </summary>
    public async Task WaitUntilAnsweringAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        await RunAsync("await_startup", "--timeout", ((int)timeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Exception? last = null;
        using var http = ManagementClient();
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await using (var connection = await new ConnectionFactory { Uri = BrokerEndpoints.RabbitMqUri }.CreateConnectionAsync(cts.Token))
                {
                }

                using var response = await http.GetAsync("overview", cts.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = new HttpRequestException($"management API answered {(int)response.StatusCode}");
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                last = ex;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"RabbitMQ did not answer again within {timeout.TotalSeconds} s", last);
    }

    private static RabbitMqCtl? Find(out string why)
    {
        var root = BrokerEndpoints.RepositoryRoot;
        var modeFile = root is null ? null : Path.Combine(root, "eng", ".run", "rabbitmq.mode");
        var mode = modeFile is not null && File.Exists(modeFile) ? File.ReadAllText(modeFile).Trim() : null;
        if (mode == "docker")
        {
            var compose = Path.Combine(root!, "docker-compose.yml");
            why = string.Empty;
            return new RabbitMqCtl("docker compose exec rabbitmq rabbitmqctl", "docker", "compose", "-f", compose, "exec", "-T", "rabbitmq", "rabbitmqctl");
        }

        // A native rabbitmqctl controls the local node only: the broker must be on this machine.
        var host = BrokerEndpoints.RabbitMqUri.Host;
        if (host is not ("localhost" or "127.0.0.1" or "::1" or "[::1]"))
        {
            why = $"RABBITMQ_URI points at {host}, not this machine, and eng/.run/rabbitmq.mode does not say docker";
            return null;
        }

        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/lib/rabbitmq/bin", "/usr/local/sbin"])
            .Select(d => Path.Combine(d, "rabbitmqctl"))
            .FirstOrDefault(File.Exists);
        why = path is null ? "rabbitmqctl is not on PATH (eng/brokers.sh up rabbitmq installs it)" : string.Empty;
        return path is null ? null : new RabbitMqCtl(path, path);
    }

    private static HttpClient ManagementClient()
    {
        var uri = BrokerEndpoints.RabbitMqManagementUri;
        var http = new HttpClient
        {
            BaseAddress = new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty, Path = "/api/" }.Uri,
            Timeout = TimeSpan.FromSeconds(5),
        };
        var user = Uri.UnescapeDataString(uri.UserInfo is { Length: > 0 } info ? info : "guest:guest");
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user)));
        return http;
    }
}
