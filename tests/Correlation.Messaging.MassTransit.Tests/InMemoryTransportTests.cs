using System.Collections.Concurrent;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.MassTransit.Tests;

/// <summary>
/// <c>cfg.UseCorrelationPropagation()</c> on MassTransit's in-memory transport, through its test harness: no RabbitMQ
/// anywhere. The oracles are MassTransit's own message IDs (<see cref="ConsumeContext.MessageId"/>) and the IDs the test
/// chose, never values computed by the code under test.
/// </summary>
public sealed class InMemoryTransportTests
{
    private const string RootMessageId = "http-request-7";

    [Fact]
    public async Task Publish_InsideCorrelatedScope_ConsumerSeesIdAndCausationIsScopeMessageId()
    {
        await using var test = await CorrelatedHarness.StartAsync(propagate: true);

        using (CorrelationContext.BeginScope(new CorrelationContext("flow-publish", messageId: RootMessageId)))
        {
            await test.Harness.Bus.Publish(new Ping("one"), TestContext.Current.CancellationToken);
        }

        (await test.Harness.Consumed.Any<Ping>(TestContext.Current.CancellationToken)).ShouldBeTrue();
        var consumed = test.Harness.Consumed.Select<Ping>(TestContext.Current.CancellationToken).Single().Context;
        var seen = test.Recorder.Single<Ping>();
        seen.CorrelationId.ShouldBe("flow-publish");
        seen.CausationId.ShouldBe(RootMessageId);
        seen.MessageId.ShouldBe(consumed.MessageId.ToString());
        seen.MessageId.ShouldNotBe(seen.CorrelationId);
        seen.Source.ShouldBe(CorrelationIdSource.Inbound);
        CorrelationContext.Current.ShouldBeNull();
    }

    [Fact]
    public async Task Send_InsideCorrelatedScope_ConsumerSeesIdAndCausationIsScopeMessageId()
    {
        await using var test = await CorrelatedHarness.StartAsync(propagate: true);
        var endpoint = await test.Harness.Bus.GetSendEndpoint(new Uri($"queue:{test.Harness.EndpointNameFormatter.Consumer<PingConsumer>()}"));

        using (CorrelationContext.BeginScope(new CorrelationContext("flow-send", messageId: RootMessageId)))
        {
            await endpoint.Send(new Ping("sent"), TestContext.Current.CancellationToken);
        }

        (await test.Harness.Consumed.Any<Ping>(TestContext.Current.CancellationToken)).ShouldBeTrue();
        var seen = test.Recorder.Single<Ping>();
        seen.CorrelationId.ShouldBe("flow-send");
        seen.CausationId.ShouldBe(RootMessageId);
    }

    [Fact]
    public async Task Consumer_PublishesFollowUp_SameIdAndCausationIsConsumedMessageId()
    {
        await using var test = await CorrelatedHarness.StartAsync(propagate: true);

        using (CorrelationContext.BeginScope(new CorrelationContext("flow-chain", messageId: RootMessageId)))
        {
            await test.Harness.Bus.Publish(new Ping("chain", PublishPong: true), TestContext.Current.CancellationToken);
        }

        (await test.Harness.Consumed.Any<Pong>(TestContext.Current.CancellationToken)).ShouldBeTrue();
        var pingId = test.Harness.Consumed.Select<Ping>(TestContext.Current.CancellationToken).Single().Context.MessageId.ToString();
        var pongId = test.Harness.Consumed.Select<Pong>(TestContext.Current.CancellationToken).Single().Context.MessageId.ToString();
        var pong = test.Recorder.Single<Pong>();
        pong.CorrelationId.ShouldBe("flow-chain");
        pong.CausationId.ShouldBe(pingId);
        pong.MessageId.ShouldBe(pongId);
        pongId.ShouldNotBe(pingId);
    }

    [Fact]
    public async Task Publish_InsideCorrelatedScope_HeadersCarryIdAndCausation()
    {
        await using var test = await CorrelatedHarness.StartAsync(propagate: true);

        using (CorrelationContext.BeginScope(new CorrelationContext("flow-headers", messageId: RootMessageId)))
        {
            await test.Harness.Bus.Publish(new Ping("headers"), TestContext.Current.CancellationToken);
        }

        (await test.Harness.Published.Any<Ping>(TestContext.Current.CancellationToken)).ShouldBeTrue();
        var headers = test.Harness.Published.Select<Ping>(TestContext.Current.CancellationToken).Single().Context.Headers;
        headers.Get<string>(CorrelationHeaders.CorrelationId).ShouldBe("flow-headers");
        headers.Get<string>(CorrelationHeaders.CausationId).ShouldBe(RootMessageId);
    }

    [Fact]
    public async Task Publish_WithoutScope_ConsumerSeesGeneratedIdAndHandlerLogsCarryIt()
    {
        await using var test = await CorrelatedHarness.StartAsync(propagate: true);

        await test.Harness.Bus.Publish(new Ping("no-scope"), TestContext.Current.CancellationToken);

        (await test.Harness.Consumed.Any<Ping>(TestContext.Current.CancellationToken)).ShouldBeTrue();
        var seen = test.Recorder.Single<Ping>();
        Guid.TryParse(seen.CorrelationId, out _).ShouldBeTrue();
        seen.CausationId.ShouldBeNull();
        var line = test.Logs.Logs.Single(l => l.Category == PingConsumer.LogCategory);
        line.CorrelationId.ShouldBe(seen.CorrelationId);
        line.Field("message_id").ShouldBe(seen.MessageId);
    }

    [Fact]
    public async Task Bus_WithoutUseCorrelationPropagation_ConsumerSeesNoContext()
    {
        // The failing twin of the tests above: the same bus without the call restores nothing.
        await using var test = await CorrelatedHarness.StartAsync(propagate: false);

        using (CorrelationContext.BeginScope(new CorrelationContext("flow-off", messageId: RootMessageId)))
        {
            await test.Harness.Bus.Publish(new Ping("off"), TestContext.Current.CancellationToken);
        }

        (await test.Harness.Consumed.Any<Ping>(TestContext.Current.CancellationToken)).ShouldBeTrue();
        test.Recorder.Single<Ping>().ShouldBe(Seen.Nothing);
    }

    [Fact]
    public void Package_MassTransitOnly_PullsInNoRabbitMq()
    {
        // This project references Correlation.Messaging.MassTransit only: whatever it pulls in lands in the output folder.
        var output = AppContext.BaseDirectory;
        File.Exists(Path.Combine(output, "MassTransit.dll")).ShouldBeTrue();
        // RabbitMQ.Client.dll, and MassTransit.RabbitMQ's MassTransit.RabbitMqTransport.dll (TestSupport's Testcontainers.RabbitMq is no client).
        Directory.GetFiles(output, "*.dll").Select(Path.GetFileName).ShouldNotContain(f =>
            f!.StartsWith("RabbitMQ.", StringComparison.OrdinalIgnoreCase) || f.StartsWith("MassTransit.RabbitMq", StringComparison.OrdinalIgnoreCase));
        typeof(CorrelationPropagationConfigurationExtensions).Assembly.GetReferencedAssemblies()
            .Select(a => a.Name).ShouldNotContain(n => n!.Contains("RabbitMQ", StringComparison.OrdinalIgnoreCase));
    }
}

public sealed record Ping(string Text, bool PublishPong = false);

public sealed record Pong(string Text);

/// <summary>What a consumer saw of the ambient correlation context.</summary>
public sealed record Seen(string? CorrelationId, string? CausationId, string? MessageId, CorrelationIdSource? Source)
{
    public static Seen Nothing { get; } = new(null, null, null, null);

    public static Seen Now()
    {
        var current = CorrelationContext.Current;
        return current is null ? Nothing : new(current.CorrelationId, current.CausationId, current.MessageId, current.Source);
    }
}

public sealed class Recorder
{
    private readonly ConcurrentQueue<(Type Message, Seen Seen)> _seen = new();

    public void Add<T>(Seen seen) => _seen.Enqueue((typeof(T), seen));

    public Seen Single<T>() => _seen.Where(s => s.Message == typeof(T)).Select(s => s.Seen).ShouldHaveSingleItem();
}

public sealed class PingConsumer(Recorder recorder, ILogger<PingConsumer> logger) : IConsumer<Ping>
{
    public static readonly string LogCategory = typeof(PingConsumer).FullName!;

    public async Task Consume(ConsumeContext<Ping> context)
    {
        logger.LogInformation("handling {Text}", context.Message.Text);
        recorder.Add<Ping>(Seen.Now());
        if (context.Message.PublishPong)
        {
            await context.Publish(new Pong(context.Message.Text));
        }
    }
}

public sealed class PongConsumer(Recorder recorder) : IConsumer<Pong>
{
    public Task Consume(ConsumeContext<Pong> context)
    {
        recorder.Add<Pong>(Seen.Now());
        return Task.CompletedTask;
    }
}

/// <summary>A started MassTransit test harness on the in-memory transport, with or without correlation propagation.</summary>
internal sealed class CorrelatedHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private CorrelatedHarness(ServiceProvider provider, CapturingLoggerProvider logs)
    {
        _provider = provider;
        Logs = logs;
        Harness = provider.GetRequiredService<ITestHarness>();
        Recorder = provider.GetRequiredService<Recorder>();
    }

    public ITestHarness Harness { get; }

    public Recorder Recorder { get; }

    public CapturingLoggerProvider Logs { get; }

    public static async Task<CorrelatedHarness> StartAsync(bool propagate)
    {
        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        services.AddCorrelation();
        services.AddSingleton<Recorder>();
        services.AddMassTransitTestHarness(x =>
        {
            x.AddConsumer<PingConsumer>();
            x.AddConsumer<PongConsumer>();
            x.UsingInMemory((context, cfg) =>
            {
                if (propagate)
                {
                    cfg.UseCorrelationPropagation(context);
                }

                cfg.ConfigureEndpoints(context);
            });
        });
        var provider = services.BuildServiceProvider(validateScopes: true);
        var harness = new CorrelatedHarness(provider, logs);
        await harness.Harness.Start();
        return harness;
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
    }
}
