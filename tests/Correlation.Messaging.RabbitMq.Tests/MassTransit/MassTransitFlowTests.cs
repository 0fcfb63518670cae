using System.Collections.Concurrent;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq.Tests.Infrastructure;
using Correlation.Messaging.TestSupport;
using MassTransit;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace Correlation.Messaging.RabbitMq.Tests;

/// <summary>The flows of a MassTransit application on a real RabbitMQ broker.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class MassTransitFlowTests(RabbitMqFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Publish_InsideScope_HandlerAndUserFilterSeeIdAndLogScope()
    {
        var queue = fixture.NewQueueName("pub");
        var id = NewId("pub");
        var seen = new ConcurrentQueue<Seen>();
        var inUserFilter = new ConcurrentQueue<string?>();
        var logger = fixture.LoggerFactory.CreateLogger("Test.Handler");
        await using var bus = await fixture.StartBusAsync((_, cfg) => cfg.ReceiveEndpoint(queue, e =>
        {
            e.UseFilter(new RecordingFilter(inUserFilter));
            e.Handler<Ping>(c =>
            {
                // Log first: the test reads the log line as soon as it sees the handler ran.
                logger.LogInformation("handled {Text}", c.Message.Text);
                seen.Enqueue(Seen.From(c, c.Message.Text));
                return Task.CompletedTask;
            });
        }));

        using (CorrelationContext.BeginScope(new CorrelationContext(id)))
        {
            await bus.Bus.Publish(new Ping(id));
        }

        (await Eventually.TrueAsync(() => !seen.IsEmpty, Wait)).ShouldBeTrue();
        var handled = seen.Single();
        handled.CorrelationId.ShouldBe(id);
        handled.Source.ShouldBe(CorrelationIdSource.Inbound);
        handled.CausationId.ShouldBeNull();
        handled.MessageId.ShouldBe(handled.ConsumedMessageId.ToString());
        handled.MessageId.ShouldNotBe(id);
        inUserFilter.ShouldBe([id]);
        var line = fixture.Logs.Logs.Single(l => l.Category == "Test.Handler" && l.Message == $"handled {id}");
        line.CorrelationId.ShouldBe(id);
        line.Field("message_id").ShouldBe(handled.MessageId);
        CorrelationContext.Current.ShouldBeNull();
    }

    [Fact]
    public async Task ConsumerPublishesAndSends_Downstream_SameIdCausationIsIncomingMessageIdNewMessageIds()
    {
        var queue = fixture.NewQueueName("up");
        var downstream = fixture.NewQueueName("down");
        var id = NewId("chain");
        var upstream = new ConcurrentQueue<Seen>();
        var seen = new ConcurrentQueue<Seen>();
        await using var bus = await fixture.StartBusAsync((_, cfg) =>
        {
            cfg.ReceiveEndpoint(queue, e => e.Handler<Ping>(async c =>
            {
                upstream.Enqueue(Seen.From(c, c.Message.Text));
                await c.Publish(new DownstreamEvent("event"));
                var endpoint = await c.GetSendEndpoint(new Uri($"queue:{downstream}"));
                await endpoint.Send(new DownstreamCommand("command"));
            }));
            cfg.ReceiveEndpoint(downstream, e =>
            {
                e.Handler<DownstreamEvent>(c => Record(seen, c, c.Message.Text));
                e.Handler<DownstreamCommand>(c => Record(seen, c, c.Message.Text));
            });
        });

        using (CorrelationContext.BeginScope(new CorrelationContext(id)))
        {
            await bus.Bus.Publish(new Ping("start"));
        }

        (await Eventually.TrueAsync(() => seen.Count >= 2, Wait)).ShouldBeTrue();
        var incoming = upstream.Single();
        seen.Select(s => s.Text).Order().ShouldBe(["command", "event"]);
        foreach (var s in seen)
        {
            s.CorrelationId.ShouldBe(id);
            s.HeaderCorrelationId.ShouldBe(id);
            s.CausationId.ShouldBe(incoming.MessageId);
            s.HeaderCausationId.ShouldBe(incoming.MessageId);
            s.ConsumedMessageId.ShouldNotBe(incoming.ConsumedMessageId);
        }

        seen.Select(s => s.ConsumedMessageId).Distinct().Count().ShouldBe(2);
    }

    [Fact]
    public async Task FanOut_ConsumerPublishesN_OneCorrelationIdAndNDistinctMessageIds()
    {
        const int count = 25;
        var queue = fixture.NewQueueName("fan");
        var items = fixture.NewQueueName("items");
        var id = NewId("fan");
        var starts = new ConcurrentQueue<Seen>();
        var seen = new ConcurrentQueue<Seen>();
        await using var bus = await fixture.StartBusAsync((_, cfg) =>
        {
            cfg.ReceiveEndpoint(queue, e => e.Handler<StartFanOut>(async c =>
            {
                starts.Enqueue(Seen.From(c, "start"));
                await Task.WhenAll(Enumerable.Range(0, c.Message.Count).Select(i => c.Publish(new FanOutItem(i))));
            }));
            cfg.ReceiveEndpoint(items, e => e.Handler<FanOutItem>(c => Record(seen, c, c.Message.Index.ToString())));
        });

        using (CorrelationContext.BeginScope(new CorrelationContext(id)))
        {
            await bus.Bus.Publish(new StartFanOut(count));
        }

        (await Eventually.TrueAsync(() => seen.Count >= count, Wait)).ShouldBeTrue();
        seen.Count.ShouldBe(count);
        seen.ShouldAllBe(s => s.CorrelationId == id && s.CausationId == starts.Single().MessageId);
        seen.Select(s => s.ConsumedMessageId).Distinct().Count().ShouldBe(count);
        seen.ShouldAllBe(s => s.MessageId != id);
    }

    [Fact]
    public async Task RequestClient_ConcurrentRequests_ResponsesCarryCallersIdAndMatch()
    {
        var queue = fixture.NewQueueName("rr");
        await using var bus = await fixture.StartBusAsync((_, cfg) => cfg.ReceiveEndpoint(queue, e => e.Handler<Question>(c =>
            c.RespondAsync(new Answer(c.Message.Text, CorrelationContext.Current?.CorrelationId, CorrelationContext.Current?.MessageId)))));
        var client = bus.Bus.CreateRequestClient<Question>(new Uri($"queue:{queue}"), RequestTimeout.After(s: 20));

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            var id = NewId($"rr{i}");
            using var scope = CorrelationContext.BeginScope(new CorrelationContext(id));
            var response = await client.GetResponse<Answer>(new Question($"q{i}"));
            return (id, text: $"q{i}", response, after: CorrelationContext.Current?.CorrelationId);
        }));

        foreach (var (id, text, response, after) in results)
        {
            response.Message.Text.ShouldBe(text);
            response.Message.SeenCorrelationId.ShouldBe(id);
            response.Headers.Get<string>("X-Correlation-ID").ShouldBe(id);
            response.Headers.Get<string>("X-Causation-ID").ShouldBe(response.Message.SeenMessageId);
            after.ShouldBe(id);
        }
    }

    [Fact]
    public async Task UseMessageRetry_AlwaysFailing_EveryAttemptSameIdErrorQueueCarriesItLogsInScope()
    {
        var queue = fixture.NewQueueName("retry");
        var id = NewId("retry");
        var marker = "boom-" + Guid.NewGuid().ToString("N");
        var attempts = new ConcurrentQueue<string?>();
        await using var bus = await fixture.StartBusAsync((_, cfg) => cfg.ReceiveEndpoint(queue, e =>
        {
            e.UseMessageRetry(r => r.Immediate(2));
            e.Handler<Flaky>(_ =>
            {
                attempts.Enqueue(CorrelationContext.Current?.CorrelationId);
                throw new InvalidOperationException(marker);
            });
        }));

        using (CorrelationContext.BeginScope(new CorrelationContext(id)))
        {
            await bus.Bus.Publish(new Flaky("x"));
        }

        var errors = await fixture.Management.WaitForMessagesAsync(queue + "_error");
        attempts.ShouldBe([id, id, id]);
        var error = errors.ShouldHaveSingleItem();
        error.Header("X-Correlation-ID").ShouldBe(id);
        error.CorrelationId.ShouldBe(id);
        error.Header("MT-Fault-Message").ShouldBe(marker);

        // MassTransit's own lines about this message (retry and fault) are inside the scope.
        (await Eventually.TrueAsync(
            () => fixture.Logs.Logs.Any(l => l.Message.StartsWith("R-FAULT", StringComparison.Ordinal) && (l.Exception?.Message == marker || l.Exception?.InnerException?.Message == marker)),
            Wait)).ShouldBeTrue("MassTransit's R-FAULT line for the message");
        var massTransitLines = fixture.Logs.Logs.Where(l => l.Exception?.Message == marker || l.Exception?.InnerException?.Message == marker).ToList();
        massTransitLines.ShouldNotBeEmpty();
        massTransitLines.ShouldAllBe(l => l.CorrelationId == id);
        massTransitLines.ShouldContain(l => l.Message.StartsWith("R-FAULT", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RawClient_OnlyAmqpCorrelationIdProperty_Adopted()
    {
        var queue = fixture.NewQueueName("native");
        var seen = new ConcurrentQueue<Seen>();
        await using var bus = await fixture.StartBusAsync((_, cfg) => cfg.ReceiveEndpoint(queue, e => e.Handler<Ping>(c => Record(seen, c, c.Message.Text))));

        var id = NewId("native");
        await RawPublisher.PublishAsync(await fixture.ConnectionAsync(), queue, new BasicProperties { CorrelationId = id }, RawPublisher.Envelope<Ping>(new { text = "raw" }));

        (await Eventually.TrueAsync(() => !seen.IsEmpty, Wait)).ShouldBeTrue();
        var handled = seen.Single();
        handled.CorrelationId.ShouldBe(id);
        handled.Source.ShouldBe(CorrelationIdSource.Inbound);
        handled.MessageId.ShouldBe(handled.ConsumedMessageId.ToString());
    }

    [Theory]
    [InlineData("reject-invalid")]
    [InlineData("reject-missing")]
    public async Task RejectPolicy_InvalidOrMissingId_MessageLandsInErrorQueueWithReason(string kind)
    {
        var queue = fixture.NewQueueName("reject");
        var handled = 0;
        await using var bus = await fixture.StartBusAsync(
            (_, cfg) => cfg.ReceiveEndpoint(queue, e => e.Handler<Ping>(_ =>
            {
                Interlocked.Increment(ref handled);
                return Task.CompletedTask;
            })),
            o =>
            {
                o.InvalidIdPolicy = InvalidCorrelationIdPolicy.Reject;
                o.MissingIdPolicy = MissingCorrelationIdPolicy.Reject;
            });

        var properties = new BasicProperties();
        if (kind == "reject-invalid")
        {
            properties.Headers = new Dictionary<string, object?> { ["X-Correlation-ID"] = "bad\r\nforged: yes" };
        }

        await RawPublisher.PublishAsync(await fixture.ConnectionAsync(), queue, properties, RawPublisher.Envelope<Ping>(new { text = kind }));

        var error = (await fixture.Management.WaitForMessagesAsync(queue + "_error")).ShouldHaveSingleItem();
        handled.ShouldBe(0);
        error.Header("MT-Fault-ExceptionType").ShouldBe(typeof(CorrelationIdRejectedException).FullName);
        error.Header("MT-Fault-Message").ShouldNotBeNull().ShouldContain(kind == "reject-invalid" ? "UnsafeCharacter" : "no correlation ID");
        error.Header("MT-Fault-Message")!.ShouldNotContain("\n");
        if (kind == "reject-invalid")
        {
            error.Header("X-Correlation-ID").ShouldBe("bad\r\nforged: yes");
        }
    }

    [Fact]
    public async Task DeserializationFault_ValidHeader_ReceiveLevelFaultLogInScope()
    {
        var queue = fixture.NewQueueName("garbage");
        await using var bus = await fixture.StartBusAsync((_, cfg) => cfg.ReceiveEndpoint(queue, e => e.Handler<Ping>(_ => Task.CompletedTask)));
        var id = NewId("garbage");
        var messageId = Guid.NewGuid().ToString();

        await RawPublisher.PublishAsync(
            await fixture.ConnectionAsync(),
            queue,
            new BasicProperties { MessageId = messageId, Headers = new Dictionary<string, object?> { ["X-Correlation-ID"] = id } },
            "{ not json"u8.ToArray());

        (await fixture.Management.WaitForMessagesAsync(queue + "_error")).ShouldHaveSingleItem().Header("X-Correlation-ID").ShouldBe(id);
        (await Eventually.TrueAsync(() => fixture.Logs.Logs.Any(l => l.Message.StartsWith("R-FAULT", StringComparison.Ordinal) && l.Message.Contains(messageId, StringComparison.Ordinal)), Wait)).ShouldBeTrue();
        var fault = fixture.Logs.Logs.First(l => l.Message.StartsWith("R-FAULT", StringComparison.Ordinal) && l.Message.Contains(messageId, StringComparison.Ordinal));
        fault.CorrelationId.ShouldBe(id);
        fault.Field("message_id").ShouldBe(messageId);
    }

    [Fact]
    public async Task EndpointConfiguredBeforeUseCorrelationPropagation_HandlerStillSeesId()
    {
        var queue = fixture.NewQueueName("early");
        var seen = new ConcurrentQueue<Seen>();
        await using var bus = await fixture.StartBusAsync(
            (context, cfg) =>
            {
                cfg.ReceiveEndpoint(queue, e => e.Handler<Ping>(c => Record(seen, c, c.Message.Text)));
                cfg.UseCorrelationPropagation(context);
            },
            propagate: false);

        var id = NewId("early");
        using (CorrelationContext.BeginScope(new CorrelationContext(id)))
        {
            await bus.Bus.Publish(new Ping("early"));
        }

        (await Eventually.TrueAsync(() => !seen.IsEmpty, Wait)).ShouldBeTrue();
        seen.Single().CorrelationId.ShouldBe(id);
        seen.Single().MessageId.ShouldBe(seen.Single().ConsumedMessageId.ToString());
    }

    [Fact]
    public async Task WithoutDependencyInjection_CustomHeaderName_WrittenAndRestored()
    {
        var queue = fixture.NewQueueName("nodi");
        var seen = new ConcurrentQueue<(string? Ambient, string? Header)>();
        var uri = BrokerEndpoints.RabbitMqUri;
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(uri);
            cfg.UseCorrelationPropagation(o => o.HeaderName = "X-Flow-ID", fixture.LoggerFactory);
            cfg.ReceiveEndpoint(queue, e => e.Handler<Ping>(c =>
            {
                seen.Enqueue((CorrelationContext.Current?.CorrelationId, c.Headers.Get<string>("X-Flow-ID")));
                return Task.CompletedTask;
            }));
        });
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await bus.StartAsync(cts.Token);
        }

        try
        {
            var id = NewId("nodi");
            using (CorrelationContext.BeginScope(new CorrelationContext(id)))
            {
                await bus.Publish(new Ping("nodi"));
            }

            (await Eventually.TrueAsync(() => !seen.IsEmpty, Wait)).ShouldBeTrue();
            seen.Single().ShouldBe((id, id));
        }
        finally
        {
            await bus.StopAsync(TestContext.Current.CancellationToken);
            await fixture.CleanupAsync();
        }
    }

    [Fact]
    public async Task Publish_NoAmbientContext_GeneratesOneIdPerMessageAndLogsDebug()
    {
        var queue = fixture.NewQueueName("gen");
        var seen = new ConcurrentQueue<Seen>();
        await using var bus = await fixture.StartBusAsync((_, cfg) => cfg.ReceiveEndpoint(queue, e => e.Handler<Ping>(c => Record(seen, c, c.Message.Text))));

        CorrelationContext.Current.ShouldBeNull();
        await bus.Bus.Publish(new Ping("background"));

        (await Eventually.TrueAsync(() => !seen.IsEmpty, Wait)).ShouldBeTrue();
        var id = seen.Single().CorrelationId.ShouldNotBeNull();
        Guid.TryParse(id, out _).ShouldBeTrue();
        seen.Single().Source.ShouldBe(CorrelationIdSource.Inbound);
        fixture.Logs.WithEventName("OutgoingCorrelationIdGenerated").ShouldContain(l => l.Message.Contains(id, StringComparison.Ordinal));
    }

    internal static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    internal static Task Record(ConcurrentQueue<Seen> seen, ConsumeContext context, string text)
    {
        seen.Enqueue(Seen.From(context, text));
        return Task.CompletedTask;
    }

    private sealed class RecordingFilter(ConcurrentQueue<string?> seen) : IFilter<ConsumeContext>
    {
        public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
        {
            seen.Enqueue(CorrelationContext.Current?.CorrelationId);
            return next.Send(context);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("recording");
    }
}
