using System.Collections.Concurrent;
using System.Text.Json;
using Correlation.Messaging.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace Correlation.Messaging.AspNetCore.Tests.Logging;

public sealed class SerilogTests
{
    [Fact]
    public async Task SerilogExtensionsLogging_LoggingScope_BecomesCorrelationIdProperty()
    {
        var sink = new CapturingSink();
        using var serilog = new LoggerConfiguration().MinimumLevel.Debug().WriteTo.Sink(sink).CreateLogger();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders().AddSerilog(serilog);
        builder.Services.AddCorrelation().AddAspNetCore();
        await using var app = builder.Build();
        app.UseCorrelation();
        Echo.Map(app);
        await app.StartAsync(TestContext.Current.CancellationToken);

        using var response = await app.GetTestClient().SendAsync(Echo.Request("/echo", "serilog-flow-1"), TestContext.Current.CancellationToken);

        var logEvent = sink.Events.Single(e => e.MessageTemplate.Text == Echo.HandledMessage);
        logEvent.Properties["correlation_id"].ShouldBeOfType<ScalarValue>().Value.ShouldBe("serilog-flow-1");

        // And it is a top-level field of Serilog's JSON output, not buried in a scope object.
        var json = new StringWriter();
        new JsonFormatter().Format(logEvent, json);
        TestContext.Current.TestOutputHelper?.WriteLine(json.ToString());
        using var document = JsonDocument.Parse(json.ToString());
        document.RootElement.GetProperty("Properties").GetProperty("correlation_id").GetString().ShouldBe("serilog-flow-1");
    }

    private sealed class CapturingSink : ILogEventSink
    {
        private readonly ConcurrentQueue<LogEvent> _events = new();

        public IReadOnlyList<LogEvent> Events => [.. _events];

        public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);
    }
}
