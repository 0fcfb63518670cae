using System.Collections.Concurrent;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Correlation.Messaging.RabbitMq.Tests;

/// <summary>The configuration surface, on MassTransit's in-memory transport (no broker needed).</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("MT-Correlation", "X-Causation-ID")]
    [InlineData("X-Correlation-ID", "mt-causation")]
    public void UseCorrelationPropagation_ReservedHeaderName_BusCreationFailsValidation(string header, string causation)
    {
        var exception = Should.Throw<ConfigurationException>(() => Bus.Factory.CreateUsingInMemory(cfg =>
            cfg.UseCorrelationPropagation(o =>
            {
                o.HeaderName = header;
                o.CausationHeaderName = causation;
            })));

        exception.Message.ShouldContain("MT- prefix");
    }

    [Fact]
    public void UseCorrelationPropagation_NullArguments_Throw()
    {
        IBusFactoryConfigurator configurator = null!;

        Should.Throw<ArgumentNullException>(() => configurator.UseCorrelationPropagation());
        Should.Throw<ArgumentNullException>(() => Bus.Factory.CreateUsingInMemory(cfg => cfg.UseCorrelationPropagation((Action<CorrelationOptions>)null!)));
        Should.Throw<ArgumentNullException>(() => Bus.Factory.CreateUsingInMemory(cfg => cfg.UseCorrelationPropagation((IServiceProvider)null!)));
        Should.Throw<ArgumentNullException>(() => Bus.Factory.CreateUsingInMemory(cfg => cfg.UseCorrelationPropagation((CorrelationPropagator)null!)));
    }

    [Fact]
    public async Task InMemoryTransport_DefaultOverload_TransportHeadersPathRestoresId()
    {
        var seen = new ConcurrentQueue<string?>();
        var bus = Bus.Factory.CreateUsingInMemory(cfg =>
        {
            cfg.UseCorrelationPropagation();
            cfg.ReceiveEndpoint("in-memory", e => e.Handler<Ping>(_ =>
            {
                seen.Enqueue(CorrelationContext.Current?.CorrelationId);
                return Task.CompletedTask;
            }));
        });

        await RunAsync(bus, async () =>
        {
            using (CorrelationContext.BeginScope(new CorrelationContext("in-memory-1")))
            {
                await bus.Publish(new Ping("x"));
            }

            (await Eventually.TrueAsync(() => !seen.IsEmpty, TimeSpan.FromSeconds(10))).ShouldBeTrue();
        });

        seen.ShouldBe(["in-memory-1"]);
    }

    [Fact]
    public async Task ServiceProviderOverload_RegisteredPropagator_ItsOptionsApply()
    {
        using var services = new ServiceCollection().AddCorrelation(o => o.HeaderName = "X-Registered-ID").Services.BuildServiceProvider();
        var headers = new ConcurrentQueue<string?>();
        var bus = Bus.Factory.CreateUsingInMemory(cfg =>
        {
            cfg.UseCorrelationPropagation(services);
            cfg.ReceiveEndpoint("registered", e => e.Handler<Ping>(c =>
            {
                headers.Enqueue(c.Headers.Get<string>("X-Registered-ID"));
                return Task.CompletedTask;
            }));
        });

        await RunAsync(bus, async () =>
        {
            using (CorrelationContext.BeginScope(new CorrelationContext("registered-1")))
            {
                await bus.Publish(new Ping("x"));
            }

            (await Eventually.TrueAsync(() => !headers.IsEmpty, TimeSpan.FromSeconds(10))).ShouldBeTrue();
        });

        headers.ShouldBe(["registered-1"]);
    }

    [Fact]
    public async Task ServiceProviderOverload_OnlyOptionsConfigured_OptionsApply()
    {
        using var services = new ServiceCollection().Configure<CorrelationOptions>(o => o.HeaderName = "X-Options-ID").BuildServiceProvider();
        var headers = new ConcurrentQueue<string?>();
        var bus = Bus.Factory.CreateUsingInMemory(cfg =>
        {
            cfg.UseCorrelationPropagation(services);
            cfg.ReceiveEndpoint("options-only", e => e.Handler<Ping>(c =>
            {
                headers.Enqueue(c.Headers.Get<string>("X-Options-ID"));
                return Task.CompletedTask;
            }));
        });

        await RunAsync(bus, async () =>
        {
            using (CorrelationContext.BeginScope(new CorrelationContext("options-1")))
            {
                await bus.Publish(new Ping("x"));
            }

            (await Eventually.TrueAsync(() => !headers.IsEmpty, TimeSpan.FromSeconds(10))).ShouldBeTrue();
        });

        headers.ShouldBe(["options-1"]);
    }

    [Fact]
    public async Task ConsumerThrows_ContextOfCallerUnchangedAndNextMessageSeesOwnId()
    {
        var seen = new ConcurrentQueue<(string Text, string? Id)>();
        var bus = Bus.Factory.CreateUsingInMemory(cfg =>
        {
            cfg.UseCorrelationPropagation();
            cfg.ReceiveEndpoint("throws", e =>
            {
                e.ConcurrentMessageLimit = 1;
                e.Handler<Ping>(c =>
                {
                    seen.Enqueue((c.Message.Text, CorrelationContext.Current?.CorrelationId));
                    return c.Message.Text == "fail" ? throw new InvalidOperationException("fail") : Task.CompletedTask;
                });
            });
        });

        await RunAsync(bus, async () =>
        {
            using (CorrelationContext.BeginScope(new CorrelationContext("first")))
            {
                await bus.Publish(new Ping("fail"));
            }

            (await Eventually.TrueAsync(() => seen.Count == 1, TimeSpan.FromSeconds(10))).ShouldBeTrue();
            await bus.Publish(new Ping("second"));
            (await Eventually.TrueAsync(() => seen.Count == 2, TimeSpan.FromSeconds(10))).ShouldBeTrue();
        });

        seen.First().ShouldBe(("fail", "first"));
        var second = seen.Last();
        second.Text.ShouldBe("second");
        second.Id.ShouldNotBe("first");
        Guid.TryParse(second.Id, out _).ShouldBeTrue();
        CorrelationContext.Current.ShouldBeNull();
    }

    [Fact]
    public async Task NoAmbientContext_MessageAlreadyCarriesHeader_KeptNotRegenerated()
    {
        // An outbox delivery service or a scheduler re-sends a message written earlier, from a background service.
        var seen = new ConcurrentQueue<string?>();
        var bus = Bus.Factory.CreateUsingInMemory(cfg =>
        {
            cfg.ConfigurePublish(p => p.UseFilter(new PresetHeaderFilter("written-earlier")));
            cfg.UseCorrelationPropagation();
            cfg.ReceiveEndpoint("preset", e => e.Handler<Ping>(_ =>
            {
                seen.Enqueue(CorrelationContext.Current?.CorrelationId);
                return Task.CompletedTask;
            }));
        });

        await RunAsync(bus, async () =>
        {
            CorrelationContext.Current.ShouldBeNull();
            await bus.Publish(new Ping("replayed"));
            (await Eventually.TrueAsync(() => !seen.IsEmpty, TimeSpan.FromSeconds(10))).ShouldBeTrue();
        });

        seen.ShouldBe(["written-earlier"]);
    }

    private static async Task RunAsync(IBusControl bus, Func<Task> body)
    {
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await bus.StartAsync(cts.Token);
        }

        try
        {
            await body();
        }
        finally
        {
            await bus.StopAsync(TestContext.Current.CancellationToken);
        }
    }

    private sealed class PresetHeaderFilter(string id) : IFilter<PublishContext>
    {
        public Task Send(PublishContext context, IPipe<PublishContext> next)
        {
            context.Headers.Set("X-Correlation-ID", id);
            return next.Send(context);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("preset");
    }
}
