using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Correlation.Messaging.TestSupport;

namespace Correlation.Messaging.Readme.Tests.QuickStart;

/// <summary>
/// A newcomer's first hour, replayed: a fresh <c>dotnet new web</c> app that references the packed packages (what
/// <c>eng/test.sh</c> packs into artifacts/packages under CI), gets the README's <c>dotnet add package</c> lines and the
/// README's code blocks pasted as they are shown (Program.cs, one file per class), builds, and runs one flow through
/// RabbitMQ, Kafka and SQS on the first try. samples/QuickStart proves the blocks compile inside this repository; this
/// proves they compile and run in somebody else's project, against the packages' dependency graph.
/// </summary>
public sealed partial class NewcomerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Newcomer_FreshWebAppFromPackedPackagesAndReadme_BuildsAndCarriesTheIdThroughEveryBrokerFirstTime()
    {
        var root = BrokerEndpoints.RepositoryRoot.ShouldNotBeNull();
        var packages = Path.Combine(root, "artifacts", "packages");
        if (!Directory.Exists(packages) || Directory.GetFiles(packages, "Correlation.Messaging.AspNetCore.*.nupkg").Length == 0)
        {
            BrokerEndpoints.Unavailable(
                "the newcomer test cannot run",
                $"No packed packages in {packages}: run `CI=true eng/test.sh` (it packs them), or `dotnet pack Messaging.sln -c Release -o artifacts/packages`.");
            return;
        }

        _ = (BrokerEndpoints.RabbitMqUri, BrokerEndpoints.KafkaBootstrapServers, BrokerEndpoints.SqsServiceUrl); // fail early without brokers
        var work = Directory.CreateTempSubdirectory("newcomer-").FullName;
        var app = Path.Combine(work, "NewcomerApp");
        var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"), TestContext.Current.CancellationToken);
        var section = Section(readme, "## Adding it to a service");

        // 1. The project: the web template, our packages from the local folder (dependencies from nuget.org). Packages
        //    restore into a folder of the test's own, reading the machine's cache as a fallback, so a packed 0.1.0 never
        //    lands in (and later shadows) the machine-wide cache.
        await DotnetAsync(work, "new", "web", "-n", "NewcomerApp", "-o", app);
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{Path.Combine(work, "packages")}" /></config>
              <fallbackPackageFolders><add key="machine" value="{globalPackages}" /></fallbackPackageFolders>
              <packageSources>
                <clear />
                <add key="packed" value="{packages}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """, TestContext.Current.CancellationToken);
        var adds = AddPackageLines().Matches(section).Select(m => m.Groups["package"].Value).ToList();
        adds.ShouldContain("Correlation.Messaging.Sqs");
        foreach (var package in adds)
        {
            await DotnetAsync(app, "add", "package", package);
        }

        // 2. The code, pasted as the README shows it: the statements into Program.cs, each class into a file of its own.
        var blocks = Snippets().Matches(section).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["code"].Value);
        string[] programBlocks = ["json-console-logging", "quickstart-correlation", "quickstart-masstransit", "quickstart-kafka", "quickstart-sqs", "quickstart-endpoint"];
        var program = blocks["quickstart-usings"] + "\nvar builder = WebApplication.CreateBuilder(args);\n\n" + string.Join("\n", programBlocks.Select(n => blocks[n]));
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), program, TestContext.Current.CancellationToken);
        var classBlocks = blocks.Keys.Where(n => n != "quickstart-usings" && !programBlocks.Contains(n)).ToList();
        classBlocks.Count.ShouldBe(4, string.Join(", ", blocks.Keys));
        foreach (var name in classBlocks)
        {
            await File.WriteAllTextAsync(Path.Combine(app, name + ".cs"), blocks[name], TestContext.Current.CancellationToken);
        }

        var build = await DotnetAsync(app, "build", "-c", "Release", "-nologo", "-clp:NoSummary");
        build.ShouldNotContain("warning CS", Case.Sensitive, build);

        // 3. The run, as the README's run section says: the queue first, then the app, then one request with an ID.
        var (environment, port) = await QuickStartEnvironment.CreateAsync("newcomer-shipping");
        var dll = Path.Combine(app, "bin", "Release", "net10.0", "NewcomerApp.dll");
        using var process = SampleProcess.StartDll(dll, environment);
        await process.WaitForLineAsync(l => l.Contains("Application started", StringComparison.Ordinal), Patience, "the newcomer's app did not start");
        var id = "newcomer-" + Guid.NewGuid().ToString("N")[..12];
        using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") })
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/orders/42"))
        {
            request.Headers.Add("X-Correlation-ID", id);
            using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
            response.StatusCode.ShouldBe(HttpStatusCode.Accepted, process.Output);
        }

        var shipped = await process.WaitForLineAsync(l => l.Contains("\"Message\":\"Shipping order 42\"", StringComparison.Ordinal), Patience, "the order never reached the SQS handler");
        shipped.ShouldContain($"\"correlation_id\":\"{id}\"", Case.Sensitive, shipped);
        foreach (var step in new[] { "Placing order 42", "Order 42 placed: asking billing", "Billing order 42" })
        {
            process.Lines.Single(l => l.Contains($"\"Message\":\"{step}\"", StringComparison.Ordinal))
                .ShouldContain($"\"correlation_id\":\"{id}\"", Case.Sensitive, step);
        }

        process.Stop(TimeSpan.FromSeconds(20));
        try
        {
            Directory.Delete(work, recursive: true);
        }
        catch (IOException)
        {
            // a temp folder left behind is harmless
        }
    }

    private static string Section(string markdown, string heading)
    {
        var start = markdown.IndexOf(heading, StringComparison.Ordinal);
        start.ShouldBeGreaterThanOrEqualTo(0, heading);
        var end = markdown.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? markdown[start..] : markdown[start..end];
    }

    private static async Task<string> DotnetAsync(string directory, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment.Remove("CI"); // a newcomer's shell: warnings are not errors, as in their own project
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        var text = await output + await error;
        process.ExitCode.ShouldBe(0, $"dotnet {string.Join(' ', arguments)} failed:\n{text}");
        return text;
    }

    [GeneratedRegex(@"^dotnet add package (?<package>\S+)", RegexOptions.Multiline)]
    private static partial Regex AddPackageLines();

    [GeneratedRegex(@"<!-- snippet: (?<name>\S+) -->\n```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex Snippets();
}
