using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Correlation.Messaging.TestSupport;

namespace Correlation.Messaging.Sqs.Tests.Reliability;

/// <summary>
/// A <c>tests/Correlation.Messaging.FaultHost</c> process, started as <c>dotnet Correlation.Messaging.FaultHost.dll</c>
/// from the FaultHost's own output folder (this project builds it through a ProjectReference that does not reference its
/// assembly), with its stdout collected line by line, and killed with SIGKILL.
/// </summary>
internal sealed class FaultHostProcess : IDisposable
{
    private const string AssemblyFileName = "Correlation.Messaging.FaultHost.dll";

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private FaultHostProcess(ProcessStartInfo info)
    {
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => Enqueue(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Enqueue(_stderr, e.Data);
    }

    /// <summary>Gets the stdout lines so far.</summary>
    public IReadOnlyList<string> Lines => [.. _stdout];

    /// <summary>Gets the exit code once exited: 137 (128 + 9) after SIGKILL.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <c>dotnet Correlation.Messaging.FaultHost.dll &lt;arguments&gt;</c>.</summary>
    public static FaultHostProcess Start(params string[] arguments)
    {
        var path = Locate();
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } dotnet && File.Exists(dotnet) ? dotnet : "dotnet";
        var info = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(path)!,
        };
        info.ArgumentList.Add(path);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new FaultHostProcess(info);
        process._process.Start();
        process._process.BeginOutputReadLine();
        process._process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits until the stdout lines satisfy <paramref name="condition"/>, failing with the output when the process exits first or time runs out.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<string>, bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(Lines))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                var state = _process.HasExited ? $"exited with code {_process.ExitCode}" : $"still running after {timeout.TotalSeconds} s";
                Assert.Fail($"fault host {state} before the expected output.\nstdout:\n{string.Join('\n', _stdout)}\nstderr:\n{string.Join('\n', _stderr)}");
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>Kills the process with SIGKILL (what <see cref="Process.Kill()"/> sends on Unix) and waits for it to exit.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }

    private static void Enqueue(ConcurrentQueue<string> lines, string? line)
    {
        if (line is not null)
        {
            lines.Enqueue(line);
        }
    }

    /// <summary>Finds the FaultHost in its own output folder, for this test assembly's configuration and framework.</summary>
    private static string Locate()
    {
        var configuration = typeof(FaultHostProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        var root = BrokerEndpoints.RepositoryRoot ?? throw new InvalidOperationException("The repository root (Messaging.sln) was not found above " + AppContext.BaseDirectory);
        var path = Path.Combine(root, "tests", "Correlation.Messaging.FaultHost", "bin", configuration, framework, AssemblyFileName);
        File.Exists(path).ShouldBeTrue($"the fault host was not built: {path} is missing (build tests/Correlation.Messaging.FaultHost)");
        return path;
    }
}
