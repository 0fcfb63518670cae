using System.Text.Json;
using Correlation.Messaging.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.AspNetCore.Tests.Logging;

/// <summary>Redirects <see cref="Console.Out"/>, which is process-wide, so these tests never run next to others.</summary>
[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public sealed class ConsoleCollection;

[Collection(nameof(ConsoleCollection))]
public sealed class JsonConsoleTests
{
    [Fact]
    public async Task JsonConsoleFormatter_IncludeScopes_WritesCorrelationIdAsJsonField()
    {
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
            builder.WebHost.UseTestServer();
            builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Information).AddFilter("Microsoft", LogLevel.Warning);
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
            builder.Services.AddCorrelation().AddAspNetCore();
            await using (var app = builder.Build())
            {
                app.UseCorrelation();
                Echo.Map(app);
                await app.StartAsync(TestContext.Current.CancellationToken);
                using var request = Echo.Request("/echo", "0b5e3f6a-8d1c-4c2e-9f4b-2a7d6e1c9b30");
                request.Headers.TryAddWithoutValidation("X-Causation-ID", "msg-41");
                using var response = await app.GetTestClient().SendAsync(request, TestContext.Current.CancellationToken);
                await app.StopAsync(TestContext.Current.CancellationToken);
            }

            // Disposing the host disposes the console logger, which flushes its queue.
        }
        finally
        {
            Console.SetOut(original);
        }

        var line = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Single(l => l.Contains(Echo.HandledMessage, StringComparison.Ordinal));
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        using var json = JsonDocument.Parse(line);
        json.RootElement.GetProperty("Message").GetString().ShouldBe(Echo.HandledMessage);
        var scopes = json.RootElement.GetProperty("Scopes").EnumerateArray().ToList();
        var correlationScope = scopes.Single(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("correlation_id", out _));
        correlationScope.GetProperty("correlation_id").GetString().ShouldBe("0b5e3f6a-8d1c-4c2e-9f4b-2a7d6e1c9b30");
        correlationScope.GetProperty("causation_id").GetString().ShouldBe("msg-41");
    }
}
