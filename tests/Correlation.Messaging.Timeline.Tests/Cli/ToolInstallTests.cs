using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Correlation.Messaging.Timeline.Tests.Cli;

/// <summary>
/// corr-timeline as users get it: the packed nupkg installed with <c>dotnet tool install</c> into a fresh tool path, then
/// <c>--help</c> and one real flow. CI packs every library before the tests (artifacts/packages); elsewhere the tool is
/// packed here.
/// </summary>
public sealed partial class ToolInstallTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("corr-timeline-tool-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Messaging.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Messaging.sln) is not above the test's directory.");
    }

    private static (int Exit, string Output) Run(string file, string arguments, string workingDirectory, string? nugetPackages = null)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (nugetPackages is not null)
        {
            start.Environment["NUGET_PACKAGES"] = nugetPackages;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {arguments} did not finish in 5 minutes");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [GeneratedRegex(@"^Correlation\.Messaging\.Timeline\.(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\.nupkg$")]
    private static partial Regex PackageName();

    [Fact]
    public void ToolInstall_FromThePackedNupkg_RunsHelpAndOneRealFlow()
    {
        var repository = RepositoryRoot();
        var packages = Path.Combine(repository, "artifacts", "packages");
        var package = Directory.Exists(packages) ? Directory.GetFiles(packages).Select(Path.GetFileName).FirstOrDefault(f => PackageName().IsMatch(f!)) : null;
        if (package is null || !TestEnvironment.IsCi)
        {
            // Not packed by CI: pack it now, into this test's own folder.
            packages = Path.Combine(_root, "packages");
            var pack = Run("dotnet", $"pack \"{Path.Combine(repository, "src", "Correlation.Messaging.Timeline")}\" -c Release -o \"{packages}\" -nologo", repository);
            pack.Exit.ShouldBe(0, pack.Output);
            package = Directory.GetFiles(packages).Select(Path.GetFileName).First(f => PackageName().IsMatch(f!));
        }

        var version = PackageName().Match(package!).Groups[1].Value;
        var tools = Path.Combine(_root, "tools");
        var install = Run("dotnet", $"tool install Correlation.Messaging.Timeline --tool-path \"{tools}\" --add-source \"{packages}\" --version {version} --ignore-failed-sources", _root,
            nugetPackages: Path.Combine(_root, "nuget")); // a cache of its own: a 0.1.0 cached machine-wide would shadow the next pack's
        install.Exit.ShouldBe(0, install.Output);
        var tool = Path.Combine(tools, OperatingSystem.IsWindows() ? "corr-timeline.exe" : "corr-timeline");

        var help = Run(tool, "--help", _root);
        help.Exit.ShouldBe(0, help.Output);
        help.Output.ShouldContain("Usage:");

        var demo = Path.Combine(AppContext.BaseDirectory, "TestData", "demo-sample.log");
        var flow = Run(tool, $"\"{demo}\" --id 47eaa099 --html flow.html", _root);
        flow.Exit.ShouldBe(0, flow.Output);
        flow.Output.ShouldContain("retried-then-ok");
        flow.Output.ShouldContain("Causation tree");
        File.ReadAllText(Path.Combine(_root, "flow.html")).ShouldContain("<svg");
    }
}
