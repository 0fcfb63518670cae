using System.Threading.Channels;
using Correlation.Messaging.AspNetCore.Tests.Infrastructure;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.AspNetCore.Tests.Deferred;

/// <summary>
/// An ASP.NET Core app on Kestrel whose endpoints queue work to a <see cref="BackgroundService"/> through a channel: with
/// <see cref="Correlated{T}"/> items the worker's log lines carry the request's IDs; with a plain channel they do not.
/// </summary>
public sealed class ChannelBackgroundServiceTests
{
    private const string CorrelatedLine = "Correlated worker processed";
    private const string PlainLine = "Plain worker processed";

    [Fact]
    public async Task CorrelatedChannel_ItemQueuedByRequest_WorkerLogsRequestsCorrelationAndCausation()
    {
        await using var app = await StartAsync();

        var (requestMessageId, _) = await QueueAsync(app, "/queue/order-1", "http-flow-1");
        var (otherMessageId, _) = await QueueAsync(app, "/queue/order-2", "http-flow-2");

        var lines = await WorkerLinesAsync(app, CorrelatedLine, 2);
        var first = lines.Single(l => l.Message.EndsWith("order-1", StringComparison.Ordinal));
        first.CorrelationId.ShouldBe("http-flow-1");
        first.Field("causation_id").ShouldBe(requestMessageId);
        var second = lines.Single(l => l.Message.EndsWith("order-2", StringComparison.Ordinal));
        second.CorrelationId.ShouldBe("http-flow-2");
        second.Field("causation_id").ShouldBe(otherMessageId);
    }

    [Fact]
    public async Task CorrelatedChannel_ItemWrittenOutsideAnyFlow_WorkerGetsANewIdPerItem()
    {
        await using var app = await StartAsync();
        var writer = app.App.Services.GetRequiredService<Channel<Correlated<string>>>().Writer;

        CorrelationContext.Current.ShouldBeNull();
        writer.TryWriteCorrelated("timer-1").ShouldBeTrue();
        writer.TryWriteCorrelated("timer-2").ShouldBeTrue();

        var lines = await WorkerLinesAsync(app, CorrelatedLine, 2);
        lines.Select(l => l.CorrelationId).ShouldAllBe(id => id != null);
        lines.Select(l => l.CorrelationId).Distinct().Count().ShouldBe(2);
        lines.ShouldAllBe(l => l.Field("causation_id") == null);
    }

    [Fact]
    public async Task PlainChannel_ItemQueuedByRequest_WorkerLosesTheId()
    {
        await using var app = await StartAsync();

        var (_, echoed) = await QueueAsync(app, "/plain/order-3", "http-flow-3");

        echoed.ShouldBe("http-flow-3");
        var line = (await WorkerLinesAsync(app, PlainLine, 1)).ShouldHaveSingleItem();
        line.CorrelationId.ShouldBeNull();
    }

    private static Task<TestApp> StartAsync() => TestApp.StartAsync(
        HostKind.Kestrel,
        app =>
        {
            app.MapPost("/queue/{item}", static async (string item, Channel<Correlated<string>> channel) =>
            {
                await channel.Writer.WriteCorrelatedAsync(item);
                return CorrelationContext.Current!.MessageId;
            });
            app.MapPost("/plain/{item}", static async (string item, Channel<string> channel) =>
            {
                #pragma warning disable CM0002 // the negative twin: a plain channel that loses the flow, on purpose
                await channel.Writer.WriteAsync(item);
                #pragma warning restore CM0002
                return CorrelationContext.Current!.MessageId;
            });
        },
        services: b =>
        {
            b.Services.AddSingleton(Channel.CreateUnbounded<Correlated<string>>());
            b.Services.AddSingleton(Channel.CreateUnbounded<string>());
            b.Services.AddHostedService<CorrelatedWorker>();
            b.Services.AddHostedService<PlainWorker>();
        });

    private static async Task<(string MessageId, string? Echoed)> QueueAsync(TestApp app, string path, string correlationId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Add(CorrelationHeaders.CorrelationId, correlationId);
        using var response = await app.Client.SendAsync(request, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var messageId = (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Trim('"');
        messageId.ShouldNotBeNullOrEmpty();
        return (messageId, response.Headers.GetValues(CorrelationHeaders.CorrelationId).Single());
    }

    private static async Task<IReadOnlyList<CapturedLog>> WorkerLinesAsync(TestApp app, string prefix, int count)
    {
        List<CapturedLog> Lines() => [.. app.Logs.Logs.Where(l => l.Message.StartsWith(prefix, StringComparison.Ordinal))];
        (await Eventually.TrueAsync(() => Lines().Count >= count, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)).ShouldBeTrue();
        return Lines();
    }

    private sealed class CorrelatedWorker(Channel<Correlated<string>> channel, CorrelationPropagator propagator, ILogger<CorrelatedWorker> logger)
        : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await foreach (var item in channel.Reader.ReadAllAsync(stoppingToken))
            {
                using var scope = item.Restore(propagator);
                logger.LogInformation(CorrelatedLine + " {Item}", item.Value);
            }
        }
    }

    private sealed class PlainWorker(Channel<string> channel, ILogger<PlainWorker> logger) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await foreach (var item in channel.Reader.ReadAllAsync(stoppingToken))
            {
                logger.LogInformation(PlainLine + " {Item}", item);
            }
        }
    }
}
