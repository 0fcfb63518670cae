using Xunit;
using Shouldly;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;

namespace Correlation.Messaging.TestSupport;

/// <summary>
/// A <c>tests/Correlation.Messaging.FaultHost</c> process: started with <c>dotnet</c> from the FaultHost's own output
/// folder (the test project builds it through a ProjectReference without referencing its assembly), its stdout collected
/// line by line, and killed with SIGKILL.
/// </summary>
public sealed class FaultHostProcess : IDisposable
{
    private const string AssemblyFileName = "Correlation.Messaging.FaultHost.dll";

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _errors = new();

    private FaultHostProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _lines.Enqueue(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _errors.Enqueue(e.Data);
            }
        };
    }

    /// <summary>Gets the stdout lines so far.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>Gets the process ID.</summary>
    public int Id => _process.Id;

    /// <summary>Gets the exit code (after <see cref="KillAndWait"/>): 137 = killed by SIGKILL.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Gets whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>dotnet Correlation.Messaging.FaultHost.dll &lt;arguments&gt;</c>.</summary>
    public static FaultHostProcess Start(params string[] arguments)
    {
        var path = Locate();
        var info = new ProcessStartInfo(DotnetHost())
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

        var host = new FaultHostProcess(new Process { StartInfo = info });
        host._process.Start();
        host._process.BeginOutputReadLine();
        host._process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits until a stdout line satisfies <paramref name="predicate"/>; fails with the output so far when the process exits first or time runs out.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var line = _lines.FirstOrDefault(predicate);
            if (line is not null)
            {
                return line;
            }

            if (_process.HasExited)
            {
                break;
            }

            await Task.Delay(50, cancellationToken);
        }

        var state = _process.HasExited ? $"exited with code {_process.ExitCode}" : $"still running after {timeout.TotalSeconds} s";
        Assert.Fail($"fault host {state} without the expected line.\nstdout:\n{string.Join('\n', _lines)}\nstderr:\n{string.Join('\n', _errors)}");
        return null!;
    }

    /// <summary>Waits until the stdout lines so far satisfy <paramref name="condition"/>; fails with the output when the process exits first or time runs out.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<string>, bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition(Lines))
            {
                return;
            }

            if (_process.HasExited)
            {
                break;
            }

            await Task.Delay(50, cancellationToken);
        }

        if (condition(Lines))
        {
            return;
        }

        var state = _process.HasExited ? $"exited with code {_process.ExitCode}" : $"still running after {timeout.TotalSeconds} s";
        Assert.Fail($"fault host {state} before the expected output.\nstdout:\n{string.Join('\n', _lines)}\nstderr:\n{string.Join('\n', _errors)}");
    }

    /// <summary>Kills the process with SIGKILL and waits for it to exit.</summary>
    public void Kill() => KillAndWait();

    /// <summary>Kills the process with SIGKILL (what <see cref="Process.Kill()"/> sends on Unix) and waits for it to exit.</summary>
    public void KillAndWait()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillAndWait();
        }

        _process.Dispose();
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>Finds the FaultHost next to the test assembly, or in its own output folder for the test assembly's configuration.</summary>
    private static string Locate()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, AssemblyFileName);
        if (File.Exists(beside) && File.Exists(Path.ChangeExtension(beside, ".runtimeconfig.json")))
        {
            return beside;
        }

        var configuration = typeof(FaultHostProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        var root = BrokerEndpoints.RepositoryRoot ?? throw new InvalidOperationException("The repository root (Messaging.sln) was not found above " + AppContext.BaseDirectory);
        var path = Path.Combine(root, "tests", "Correlation.Messaging.FaultHost", "bin", configuration, framework, AssemblyFileName);
        File.Exists(path).ShouldBeTrue($"the fault host was not built: {path} is missing (build tests/Correlation.Messaging.FaultHost)");
        return path;
    }
}
