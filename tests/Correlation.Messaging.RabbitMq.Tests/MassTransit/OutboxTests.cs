using System.Collections.Concurrent;
using Correlation.Messaging.RabbitMq.Tests.Infrastructure;
using Correlation.Messaging.TestSupport;
using MassTransit;

namespace Correlation.Messaging.RabbitMq.Tests;

/// <summary>
/// Issue 14 on a real RabbitMQ: MassTransit's <c>UseInMemoryOutbox</c> holds a consumer's publishes until the consumer
/// has finished, so they leave after the consumer's scope has been closed. They must still carry its flow, with the
/// consumed message as causation. The twin (no outbox) proves the timing oracle: its message arrives while the
/// consumer still runs.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class OutboxTests(RabbitMqFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task InMemoryOutbox_PublishReleasedAfterConsumerFinished_CarriesConsumerFlowAndCausation()
    {
        var run = await RunAsync(outbox: true);

        run.Downstream.CorrelationId.ShouldBe(run.Flow);
        run.Downstream.HeaderCorrelationId.ShouldBe(run.Flow);
        run.Downstream.CausationId.ShouldBe(run.UpstreamMessageId.ToString());
        run.ArrivedAfterConsumerFinished.ShouldBeTrue("the outbox did not hold the message back: the test would prove nothing");
    }

    [Fact]
    public async Task WithoutOutbox_PublishArrivesWhileConsumerStillRuns()
    {
        var run = await RunAsync(outbox: false);

        run.Downstream.CorrelationId.ShouldBe(run.Flow);
        run.ArrivedAfterConsumerFinished.ShouldBeFalse();
    }

    private async Task<OutboxRun> RunAsync(bool outbox)
    {
        var upstream = fixture.NewQueueName("outbox-up");
        var downstream = fixture.NewQueueName("outbox-down");
        var flow = "outbox-" + Guid.NewGuid().ToString("N")[..12];
        var finished = new ConcurrentQueue<string>();
        var upstreamIds = new ConcurrentQueue<Guid>();
        var seen = new ConcurrentQueue<(Seen Seen, bool After)>();

        await using var bus = await fixture.StartBusAsync((context, cfg) =>
        {
            cfg.ReceiveEndpoint(upstream, e =>
            {
                if (outbox)
                {
                    e.UseInMemoryOutbox(context);
                }

                e.Handler<Ping>(async c =>
                {
                    upstreamIds.Enqueue(c.MessageId!.Value);
                    await c.Send(new Uri("queue:" + downstream), new DownstreamCommand(c.Message.Text));
                    await Task.Delay(500);              // long enough for an unheld message to arrive first
                    finished.Enqueue(c.Message.Text);
                });
            });
            cfg.ReceiveEndpoint(downstream, e => e.Handler<DownstreamCommand>(c =>
            {
                seen.Enqueue((Seen.From(c, c.Message.Text), finished.Contains(c.Message.Text)));
                return Task.CompletedTask;
            }));
        });

        using (CorrelationContext.BeginScope(new CorrelationContext(flow)))
        {
            var endpoint = await bus.Bus.GetSendEndpoint(new Uri("queue:" + upstream));
            await endpoint.Send(new Ping(flow));
        }

        (await Eventually.TrueAsync(() => !seen.IsEmpty, Wait)).ShouldBeTrue("the downstream message never arrived");
        var (downstreamSeen, after) = seen.Single();
        return new OutboxRun(flow, upstreamIds.Single(), downstreamSeen, after);
    }

    private sealed record OutboxRun(string Flow, Guid UpstreamMessageId, Seen Downstream, bool ArrivedAfterConsumerFinished);
}
