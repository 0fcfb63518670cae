using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Correlation.Messaging.TestSupport;

namespace Correlation.Messaging.Readme.Tests.QuickStart;

/// <summary>
/// A .NET program of this repository run as its own process from its output folder (built through a ProjectReference
/// without referencing its assembly), with its stdout collected line by line.
/// </summary>
public sealed class SampleProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _errors = new();

    private SampleProcess(Process process)
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

    public IReadOnlyList<string> Lines => [.. _lines];

    public string Output => $"stdout:\n{string.Join('\n', _lines)}\nstderr:\n{string.Join('\n', _errors)}";

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <c>dotnet &lt;project&gt;.dll &lt;arguments&gt;</c> from <c>&lt;folder&gt;/&lt;project&gt;/bin/&lt;configuration&gt;/&lt;framework&gt;</c>.</summary>
    public static SampleProcess Start(string folder, string project, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var configuration = typeof(SampleProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        var root = BrokerEndpoints.RepositoryRoot ?? throw new InvalidOperationException("Messaging.sln not found above " + AppContext.BaseDirectory);
        var path = Path.Combine(root, folder, project, "bin", configuration, framework, project + ".dll");
        File.Exists(path).ShouldBeTrue($"{project} was not built: {path} is missing");
        return StartDll(path, environment, arguments);
    }

    /// <summary>Starts <c>dotnet &lt;path&gt; &lt;arguments&gt;</c> from the folder of <paramref name="path"/>.</summary>
    public static SampleProcess StartDll(string path, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
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

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = new SampleProcess(new Process { StartInfo = info });
        process._process.Start();
        process._process.BeginOutputReadLine();
        process._process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits until a stdout line satisfies <paramref name="predicate"/>; fails with the output when the process exits first or time runs out.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_lines.FirstOrDefault(predicate) is { } line)
            {
                return line;
            }

            if (_process.HasExited)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{what}: {(_process.HasExited ? $"exited with code {_process.ExitCode}" : $"nothing after {timeout.TotalSeconds} s")}\n{Output}");
        return null!;
    }

    /// <summary>Waits for the process to end by itself (for example a command-line tool).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancellation.Token);
        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    /// <summary>Asks the process to stop (SIGTERM, as a container runtime does) and waits; kills it after <paramref name="grace"/>.</summary>
    public void Stop(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        if (!_process.WaitForExit(grace))
        {
            _process.Kill();
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
