using System.Collections.Concurrent;
using Correlation.Messaging.RabbitMq.Tests.Infrastructure;
using Correlation.Messaging.TestSupport;
using MassTransit;

namespace Correlation.Messaging.RabbitMq.Tests;

/// <summary>A message keyed for the partitioner.</summary>
public sealed record Keyed(string Key, string Text);

/// <summary>A message whose error transport fails, so the receive pipeline itself faults.</summary>
public sealed record Doomed(string Text);

/// <summary>
/// Issue 13, "left open" and "suspicions" on MassTransit: fault lines carry the correlation ID, and a filter that hops
/// executors (<c>UsePartitioner</c>) does not lose the ambient context.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class FaultAndExecutorTests(RabbitMqFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task UsePartitioner_ExecutorHop_ConsumerSeesTheMessagesContext()
    {
        var queue = fixture.NewQueueName("partition");
        var seen = new ConcurrentDictionary<string, string?>();
        await using var bus = await fixture.StartBusAsync((_, cfg) => cfg.ReceiveEndpoint(queue, e =>
        {
            e.UsePartitioner(4, c => c.MessageId ?? Guid.Empty);
            e.Handler<Keyed>(c =>
            {
                seen[c.Message.Text] = CorrelationContext.Current?.CorrelationId;
                return Task.CompletedTask;
            });
        }));
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri($"queue:{queue}"));

        for (var i = 0; i < 8; i++)
        {
            using (CorrelationContext.BeginScope(new CorrelationContext($"partition-flow-{i}")))
            {
                await endpoint.Send(new Keyed("key-" + (i % 3), $"m{i}"));
            }
        }

        (await Eventually.TrueAsync(() => seen.Count == 8, Wait)).ShouldBeTrue($"seen {seen.Count} of 8");
        for (var i = 0; i < 8; i++)
        {
            seen[$"m{i}"].ShouldBe($"partition-flow-{i}");
        }
    }

    [Fact]
    public async Task ReceivePipelineFault_TransportFaultLine_HasACorrelatedCompanionLine()
    {
        var queue = fixture.NewQueueName("tfault");
        var id = "tfault-" + Guid.NewGuid().ToString("N");
        var marker = "error-transport-down-" + Guid.NewGuid().ToString("N");
        await using var bus = await fixture.StartBusAsync((_, cfg) => cfg.ReceiveEndpoint(queue, e =>
        {
            // The error pipe itself fails, so the exception leaves the receive pipeline and MassTransit logs T-FAULT.
            e.ConfigureError(x => x.UseExecute(_ => throw new InvalidOperationException(marker)));
            e.Handler<Doomed>(_ => throw new InvalidOperationException("handler failed"));
        }));
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri($"queue:{queue}"));

        using (CorrelationContext.BeginScope(new CorrelationContext(id)))
        {
            await endpoint.Send(new Doomed("x"));
        }

        (await Eventually.TrueAsync(() => fixture.Logs.Logs.Any(l => l.Message.StartsWith("T-FAULT", StringComparison.Ordinal) && Mentions(l, marker)), Wait))
            .ShouldBeTrue("MassTransit's T-FAULT line for the message");
        var companion = fixture.Logs.Logs.Where(l => l.EventId.Name == "ReceivePipelineFaulted" && Mentions(l, marker)).ToList();
        companion.ShouldNotBeEmpty("every fault of a message gets a line inside its scope, next to MassTransit's T-FAULT (which is logged outside it)");
        companion.ShouldAllBe(l => l.CorrelationId == id);
    }

    private static bool Mentions(CapturedLog log, string marker)
    {
        for (var ex = log.Exception; ex is not null; ex = ex.InnerException)
        {
            if (ex.Message.Contains(marker, StringComparison.Ordinal) || ex is AggregateException agg && agg.InnerExceptions.Any(i => i.Message.Contains(marker, StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }
}
