using System.Collections.Concurrent;
using Correlation.Messaging.TestSupport;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.MassTransit.Tests;

/// <summary>
/// Messages that leave a consumer other than through its own <see cref="ConsumeContext"/> call: held by the in-memory
/// outbox until the consumer has finished, published through the root <see cref="IBus"/>, or published by background
/// code with no flow. On MassTransit's in-memory transport; the oracles are MassTransit's message IDs and the test's IDs.
/// </summary>
public sealed class DeferredSendTests
{
    [Fact]
    public async Task InMemoryOutbox_MessagesSentAfterTheConsumerFinished_CarryItsIdAndCausation()
    {
        await using var test = await DeferredHarness.StartAsync(outbox: true);

        using (CorrelationContext.BeginScope(new CorrelationContext("flow-outbox", messageId: "req-outbox")))
        {
            await test.Harness.Bus.Publish(new OutboxPing("outbox"), TestContext.Current.CancellationToken);
        }

        (await test.Harness.Consumed.Any<Downstream>(x => x.Context.Message.Via == "outbox", TestContext.Current.CancellationToken)).ShouldBeTrue();
        var pingId = test.Harness.Consumed.Select<OutboxPing>(TestContext.Current.CancellationToken).Single().Context.MessageId.ToString();
        var seen = test.Seen("outbox").ShouldHaveSingleItem();
        seen.CorrelationId.ShouldBe("flow-outbox");
        seen.CausationId.ShouldBe(pingId);
        test.ArrivedAfterRelease("outbox").ShouldBe([true]);
    }

    [Fact]
    public async Task WithoutInMemoryOutbox_TheMessageArrivesWhileTheConsumerStillRuns()
    {
        // The twin of the outbox test's timing oracle: without the outbox the message is not held back.
        await using var test = await DeferredHarness.StartAsync(outbox: false);

        using (CorrelationContext.BeginScope(new CorrelationContext("flow-no-outbox", messageId: "req-no-outbox")))
        {
            await test.Harness.Bus.Publish(new OutboxPing("no-outbox"), TestContext.Current.CancellationToken);
        }

        (await test.Harness.Consumed.Any<Downstream>(x => x.Context.Message.Via == "no-outbox", TestContext.Current.CancellationToken)).ShouldBeTrue();
        test.ArrivedAfterRelease("no-outbox").ShouldBe([false]);
        test.Seen("no-outbox").Single().CorrelationId.ShouldBe("flow-no-outbox");
    }

    [Fact]
    public async Task RootBusInsideConsumer_PublishStillCarriesTheFlow()
    {
        await using var test = await DeferredHarness.StartAsync(outbox: false);

        using (CorrelationContext.BeginScope(new CorrelationContext("flow-root-bus", messageId: "req-bus")))
        {
            await test.Harness.Bus.Publish(new RootBusPing("root-bus"), TestContext.Current.CancellationToken);
        }

        (await test.Harness.Consumed.Any<Downstream>(x => x.Context.Message.Via == "root-bus", TestContext.Current.CancellationToken)).ShouldBeTrue();
        var pingId = test.Harness.Consumed.Select<RootBusPing>(TestContext.Current.CancellationToken).Single().Context.MessageId.ToString();
        var seen = test.Seen("root-bus").ShouldHaveSingleItem();
        seen.CorrelationId.ShouldBe("flow-root-bus");
        seen.CausationId.ShouldBe(pingId);
    }

    [Fact]
    public async Task PublishFromBackgroundCodeWithoutFlow_EachMessageStartsANewFlow()
    {
        await using var test = await DeferredHarness.StartAsync(outbox: false);

        // A BackgroundService's loop: no request, no consumed message, so no ambient flow.
        await Task.Run(
            async () =>
            {
                CorrelationContext.Current.ShouldBeNull();
                await test.Harness.Bus.Publish(new Downstream("background"), TestContext.Current.CancellationToken);
                await test.Harness.Bus.Publish(new Downstream("background"), TestContext.Current.CancellationToken);
            },
            TestContext.Current.CancellationToken);

        (await Eventually.TrueAsync(() => test.Seen("background").Count == 2, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)).ShouldBeTrue();
        var seen = test.Seen("background");
        seen.Select(s => s.CorrelationId).Distinct().Count().ShouldBe(2);
        seen.ShouldAllBe(s => s.CorrelationId != null && s.CausationId == null);
    }
}

public sealed record OutboxPing(string Via);

public sealed record RootBusPing(string Via);

public sealed record Downstream(string Via);

public sealed class DeferredRecorder
{
    private readonly ConcurrentQueue<(string Via, Seen Seen, bool AfterRelease)> _seen = new();

    public ConcurrentQueue<string> Released { get; } = new();

    public void Add(string via) => _seen.Enqueue((via, Seen.Now(), Released.Contains(via)));

    public IReadOnlyList<Seen> For(string via) => [.. _seen.Where(s => s.Via == via).Select(s => s.Seen)];

    public IReadOnlyList<bool> ArrivedAfterRelease(string via) => [.. _seen.Where(s => s.Via == via).Select(s => s.AfterRelease)];
}

/// <summary>Publishes through its context; with the in-memory outbox the message leaves only after Consume returned.</summary>
public sealed class OutboxPingConsumer(DeferredRecorder recorder) : IConsumer<OutboxPing>
{
    public async Task Consume(ConsumeContext<OutboxPing> context)
    {
        await context.Publish(new Downstream(context.Message.Via));
        await Task.Delay(300);
        recorder.Released.Enqueue(context.Message.Via);
    }
}

/// <summary>Publishes through the root bus (not its consume context), as code deep in a service often does.</summary>
public sealed class RootBusPingConsumer(IBus bus) : IConsumer<RootBusPing>
{
    public Task Consume(ConsumeContext<RootBusPing> context) => bus.Publish(new Downstream(context.Message.Via));
}

public sealed class DownstreamConsumer(DeferredRecorder recorder) : IConsumer<Downstream>
{
    public Task Consume(ConsumeContext<Downstream> context)
    {
        recorder.Add(context.Message.Via);
        return Task.CompletedTask;
    }
}

internal sealed class DeferredHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly DeferredRecorder _recorder;

    private DeferredHarness(ServiceProvider provider)
    {
        _provider = provider;
        Harness = provider.GetRequiredService<ITestHarness>();
        _recorder = provider.GetRequiredService<DeferredRecorder>();
    }

    public ITestHarness Harness { get; }

    public IReadOnlyCollection<string> Released => _recorder.Released;

    public IReadOnlyList<Seen> Seen(string via) => _recorder.For(via);

    public IReadOnlyList<bool> ArrivedAfterRelease(string via) => _recorder.ArrivedAfterRelease(via);

    public static async Task<DeferredHarness> StartAsync(bool outbox)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(new CapturingLoggerProvider()).SetMinimumLevel(LogLevel.Debug));
        services.AddCorrelation();
        services.AddSingleton<DeferredRecorder>();
        services.AddMassTransitTestHarness(x =>
        {
            x.AddConsumer<OutboxPingConsumer>();
            x.AddConsumer<RootBusPingConsumer>();
            x.AddConsumer<DownstreamConsumer>();
            if (outbox)
            {
                x.AddConfigureEndpointsCallback((context, _, cfg) => cfg.UseInMemoryOutbox(context));
            }

            x.UsingInMemory((context, cfg) =>
            {
                cfg.UseCorrelationPropagation(context);
                cfg.ConfigureEndpoints(context);
            });
        });
        var provider = services.BuildServiceProvider(validateScopes: true);
        var harness = new DeferredHarness(provider);
        await harness.Harness.Start();
        return harness;
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
    }
}
