using System.Collections.Concurrent;
using System.Text;
using Correlation.Messaging.Contracts.Oracle;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq.Tests.Infrastructure;
using Correlation.Messaging.TestSupport;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace Correlation.Messaging.RabbitMq.Tests;

/// <summary>Flow metadata (depth, origin, start, previous flow) on a real RabbitMQ broker, judged by <see cref="FlowOracle"/>.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class FlowMetadataTests(RabbitMqFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Loop_MessageRepublishesItself_Reject_StopsAboveMaxDepthAndDeadLettersIt()
    {
        var (handled, deadLettered, logs) = await RunSelfRepublishingLoopAsync(FlowDepthLimitPolicy.Reject, stopAtDepth: int.MaxValue);

        handled.ShouldBe([0, 1, 2, 3, 4, 5], "depth 6 is above MaxDepth 5: the guard stops the loop");
        var dead = deadLettered.ShouldHaveSingleItem("the looping message is dead-lettered, not lost");
        FlowOracle.Parse(dead.Flow)!.Depth.ShouldBe(6);
        dead.CorrelationId.ShouldBe("loop-flow");
        logs.ShouldBe(1);
    }

    [Fact]
    public async Task Loop_LogAndContinue_RunsPastMaxDepth_FailingTwinOfTheGuard()
    {
        var (handled, deadLettered, logs) = await RunSelfRepublishingLoopAsync(FlowDepthLimitPolicy.LogAndContinue, stopAtDepth: 9);

        handled.ShouldBe([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], "without the guard's reject the message keeps republishing itself");
        deadLettered.ShouldBeEmpty();
        logs.ShouldBe(4, "one warning per handling above MaxDepth (6, 7, 8, 9)");
    }

    [Fact]
    public async Task MalformedFlowFromRawClient_EveryKind_HandledWithIdKeptFlowRestarted()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions { ServiceName = "rabbit-consumer" }, fixture.LoggerFactory);
        var values = Malformed();
        var (seen, dead) = await ConsumeRawAsync(propagator, values, expected: values.Count);

        dead.ShouldBeEmpty();
        seen.Count.ShouldBe(values.Count, "nothing is lost");
        foreach (var (kind, context) in seen)
        {
            context.CorrelationId.ShouldBe("mal-" + kind.GetHashCode(StringComparison.Ordinal).ToString("x8"), kind);
            context.Depth.ShouldBe(0, kind);
            context.Origin.ShouldBe("rabbit-consumer", kind);
        }
    }

    [Fact]
    public async Task MalformedFlowFromRawClient_Reject_EveryKindDeadLetteredNothingLost()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions { InvalidIdPolicy = InvalidCorrelationIdPolicy.Reject }, fixture.LoggerFactory);
        var values = Malformed();
        var (seen, dead) = await ConsumeRawAsync(propagator, values, expected: values.Count);

        seen.ShouldBeEmpty();
        dead.Count.ShouldBe(values.Count, "every rejected delivery reaches the dead-letter queue");
    }

    [Fact]
    public async Task StartNewFlow_SendAndPublish_BothCarryPreviousCorrelationId()
    {
        var queue = fixture.NewQueueName("newflow");
        var downstream = fixture.NewQueueName("newflow-down");
        var seen = new ConcurrentQueue<(string Text, string? Id, string? Previous, int Depth, string? Header)>();
        await using var bus = await fixture.StartBusAsync(
            (context, cfg) =>
            {
                var propagator = context.GetRequiredService<CorrelationPropagator>();
                cfg.ReceiveEndpoint(queue, e => e.Handler<Ping>(async c =>
                {
                    using (CorrelationContext.StartNewFlow(propagator))
                    {
                        await c.Publish(new DownstreamEvent("event"));
                        var endpoint = await c.GetSendEndpoint(new Uri($"queue:{downstream}"));
                        await endpoint.Send(new DownstreamCommand("command"));
                    }
                }));
                cfg.ReceiveEndpoint(downstream, e =>
                {
                    e.Handler<DownstreamEvent>(c => Record(seen, c, c.Message.Text));
                    e.Handler<DownstreamCommand>(c => Record(seen, c, c.Message.Text));
                });
            },
            o => o.ServiceName = "saga-host");

        using (CorrelationContext.BeginScope(new CorrelationContext("trigger-flow")))
        {
            await bus.Bus.Publish(new Ping("start"));
        }

        (await Eventually.TrueAsync(() => seen.Count >= 2, Wait)).ShouldBeTrue();
        seen.Select(s => s.Text).Order().ShouldBe(["command", "event"]);
        foreach (var s in seen)
        {
            s.Id.ShouldNotBe("trigger-flow", s.Text);
            s.Previous.ShouldBe("trigger-flow", s.Text);
            s.Depth.ShouldBe(1, s.Text);
            var wire = FlowOracle.Parse(s.Header).ShouldNotBeNull(s.Text);
            (wire.Depth, wire.Origin, wire.PreviousCorrelationId).ShouldBe((1, "saga-host", "trigger-flow"), s.Text);
        }

        seen.Select(s => s.Id).Distinct().Count().ShouldBe(1, "send and publish share the one new flow");
    }

    private static Task Record(ConcurrentQueue<(string, string?, string?, int, string?)> seen, ConsumeContext c, string text)
    {
        var current = CorrelationContext.Current;
        seen.Enqueue((text, current?.CorrelationId, current?.PreviousCorrelationId, current?.Depth ?? -1, c.Headers.Get<string>("X-Correlation-Flow")));
        return Task.CompletedTask;
    }

    /// <summary>The oracle's malformed values plus AMQP-only kinds: a null value and an integer.</summary>
    private static List<(string Kind, object? Value)> Malformed() =>
        [.. FlowOracle.Malformed.Select(m => (m.Kind, (object?)m.Bytes)), ("AMQP void (null)", null), ("AMQP integer", 7)];

    private async Task<(List<int> Handled, List<(string? CorrelationId, string? Flow)> DeadLettered, int Warnings)> RunSelfRepublishingLoopAsync(
        FlowDepthLimitPolicy policy, int stopAtDepth)
    {
        var logs = new CapturingLoggerProvider();
        using var factory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(logs));
        var propagator = new CorrelationPropagator(new CorrelationOptions { MaxDepth = 5, DepthLimitPolicy = policy }, factory);
        await using var channel = await fixture.CreateChannelAsync();
        var (queue, deadLetters) = await DeclareWithDeadLettersAsync(channel, "loop");
        var handled = new ConcurrentQueue<int>();
        var consumer = new CorrelatingBasicConsumer(channel, propagator);
        consumer.ReceivedAsync += async (_, args) =>
        {
            var depth = CorrelationContext.Current!.Depth;
            handled.Enqueue(depth);
            if (depth < stopAtDepth)
            {
                // The bug under test: a handler that republishes what it handles, forever.
                await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, new BasicProperties().WithCorrelation(propagator), args.Body.ToArray());
            }

            await channel.BasicAckAsync(args.DeliveryTag, multiple: false);
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer);

        await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, new BasicProperties { Headers = new Dictionary<string, object?> { ["X-Correlation-ID"] = "loop-flow" } }, "again"u8.ToArray());

        var dead = new List<(string?, string?)>();
        var expectedHandled = policy == FlowDepthLimitPolicy.Reject ? 6 : stopAtDepth + 1;
        (await Eventually.TrueAsync(() => handled.Count >= expectedHandled, Wait)).ShouldBeTrue($"handled {handled.Count}");
        await Task.Delay(500, TestContext.Current.CancellationToken); // room for a broken guard to handle one more
        await using var reader = await fixture.CreateChannelAsync();
        if (policy == FlowDepthLimitPolicy.Reject)
        {
            (await Eventually.TrueAsync(() => (reader.MessageCountAsync(deadLetters).GetAwaiter().GetResult()) > 0, Wait)).ShouldBeTrue("dead letter");
        }

        while (await reader.BasicGetAsync(deadLetters, autoAck: true) is { } result)
        {
            dead.Add((Text(result.BasicProperties.Headers, "X-Correlation-ID"), Text(result.BasicProperties.Headers, "X-Correlation-Flow")));
        }

        return ([.. handled], dead, logs.WithEventName("FlowDepthLimitExceeded").Count());
    }

    private async Task<(List<(string Kind, CorrelationContext Context)> Seen, List<string?> Dead)> ConsumeRawAsync(
        CorrelationPropagator propagator, List<(string Kind, object? Value)> values, int expected)
    {
        await using var channel = await fixture.CreateChannelAsync();
        var (queue, deadLetters) = await DeclareWithDeadLettersAsync(channel, "malformed");
        var seen = new ConcurrentQueue<(string, CorrelationContext)>();
        var consumer = new CorrelatingBasicConsumer(channel, propagator);
        consumer.ReceivedAsync += async (_, args) =>
        {
            seen.Enqueue((Encoding.UTF8.GetString(args.Body.Span), CorrelationContext.Current!));
            await channel.BasicAckAsync(args.DeliveryTag, multiple: false);
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer);

        foreach (var (kind, value) in values)
        {
            var headers = new Dictionary<string, object?>
            {
                ["X-Correlation-ID"] = "mal-" + kind.GetHashCode(StringComparison.Ordinal).ToString("x8"),
                ["X-Correlation-Flow"] = value,
            };
            await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, new BasicProperties { Headers = headers }, Encoding.UTF8.GetBytes(kind));
        }

        await using var reader = await fixture.CreateChannelAsync();
        var dead = new List<string?>();
        await Eventually.TrueAsync(
            () =>
            {
                while (reader.BasicGetAsync(deadLetters, autoAck: true).GetAwaiter().GetResult() is { } result)
                {
                    dead.Add(Encoding.UTF8.GetString(result.Body.Span));
                }

                return seen.Count + dead.Count >= expected;
            },
            Wait);
        return ([.. seen], dead);
    }

    private async Task<(string Queue, string DeadLetters)> DeclareWithDeadLettersAsync(IChannel channel, string prefix)
    {
        var queue = fixture.NewQueueName(prefix);
        var deadLetters = fixture.NewQueueName(prefix + "-dlq");
        await channel.QueueDeclareAsync(deadLetters, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, new Dictionary<string, object?>
        {
            ["x-dead-letter-exchange"] = string.Empty,
            ["x-dead-letter-routing-key"] = deadLetters,
        });
        return (queue, deadLetters);
    }

    private static string? Text(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var value) && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;
}
