using System.Collections.Concurrent;
using System.Diagnostics;
using Correlation.Messaging.RabbitMq.Tests.Infrastructure;
using Correlation.Messaging.TestSupport;
using MassTransit;
using OpenTelemetry.Trace;

namespace Correlation.Messaging.RabbitMq.Tests.Tracing;

public sealed record TracedOrder(string Text);

public sealed record TracedInvoice(string Text);

/// <summary>
/// Traces across a real RabbitMQ hop through MassTransit 8, which has its own <c>MassTransit</c> ActivitySource and
/// carries its span ID in its own <c>MT-Activity-Id</c> header (never <c>traceparent</c>), and only when a listener
/// sampled its send span.
/// </summary>
/// <remarks>In the broker collection, so no other test of this project listens to MassTransit's source meanwhile.</remarks>
[Collection(RabbitMqCollection.Name)]
public sealed class MassTransitTracingTests(RabbitMqFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Publish_OpenTelemetryTracer_ReceiveSpanIsChildOfSendSpanBothTaggedWithCorrelationId(bool propagateTraceContext)
    {
        await Task.Yield();
        Activity.Current = null;
        using var spans = new SpanCollector(new AlwaysOnSampler(), "MassTransit");
        var queue = fixture.NewQueueName("trace");
        var id = "traced-" + Guid.NewGuid().ToString("N");
        var wire = new ConcurrentQueue<(string? TraceParent, string? MtActivityId)>();
        await using var bus = await fixture.StartBusAsync(
            (_, cfg) => cfg.ReceiveEndpoint(queue, e => e.Handler<TracedOrder>(c =>
            {
                wire.Enqueue((Header(c, "traceparent"), Header(c, "MT-Activity-Id")));
                return Task.CompletedTask;
            })),
            o => o.PropagateTraceContext = propagateTraceContext);

        using (CorrelationContext.BeginScope(new CorrelationContext(id)))
        {
            await bus.Bus.Publish(new TracedOrder("order"), TestContext.Current.CancellationToken);
        }

        (await Eventually.TrueAsync(() => !wire.IsEmpty && spans.Ended.Any(s => s.OperationName == queue + " receive"), Wait)).ShouldBeTrue();
        var receive = spans.Ended.Single(s => s.OperationName == queue + " receive");
        var send = spans.Ended.Single(s => s.SpanId == receive.ParentSpanId);
        send.Kind.ShouldBe(ActivityKind.Producer);
        receive.Kind.ShouldBe(ActivityKind.Consumer);
        receive.TraceId.ShouldBe(send.TraceId);
        send.GetTagItem("messaging.message.conversation_id").ShouldBe(id);
        receive.GetTagItem("messaging.message.conversation_id").ShouldBe(id);

        var (traceParent, mtActivityId) = wire.Single();
        mtActivityId.ShouldBe(send.Id);
        traceParent.ShouldBe(propagateTraceContext ? send.Id : null);
    }

    [Fact]
    public async Task SecondHop_NoListener_TraceparentStillReachesTheNextHopUnchanged()
    {
        await Task.Yield();
        Activity.Current = null;
        var orders = fixture.NewQueueName("notrace-orders");
        var invoices = fixture.NewQueueName("notrace-invoices");
        var seen = new ConcurrentQueue<(string? TraceParent, string? MtActivityId, string? CorrelationId)>();
        await using var bus = await fixture.StartBusAsync(
            (_, cfg) =>
            {
                cfg.ReceiveEndpoint(orders, e => e.Handler<TracedOrder>(async c =>
                {
                    Activity.Current.ShouldBeNull();
                    var endpoint = await c.GetSendEndpoint(new Uri($"queue:{invoices}"));
                    await endpoint.Send(new TracedInvoice("invoice"));
                }));
                cfg.ReceiveEndpoint(invoices, e => e.Handler<TracedInvoice>(c =>
                {
                    seen.Enqueue((Header(c, "traceparent"), Header(c, "MT-Activity-Id"), CorrelationContext.Current?.CorrelationId));
                    return Task.CompletedTask;
                }));
            },
            o => o.PropagateTraceContext = true);

        // An upstream span nobody listens to (as in a service whose tracer samples nothing): its ID is the trace context.
        var id = "notrace-" + Guid.NewGuid().ToString("N");
        var upstream = new Activity("upstream").SetIdFormat(ActivityIdFormat.W3C).Start();
        try
        {
            using (CorrelationContext.BeginScope(new CorrelationContext(id)))
            {
                await bus.Bus.Publish(new TracedOrder("order"), TestContext.Current.CancellationToken);
            }
        }
        finally
        {
            upstream.Stop();
        }

        (await Eventually.TrueAsync(() => !seen.IsEmpty, Wait)).ShouldBeTrue();
        var (traceParent, mtActivityId, correlationId) = seen.Single();
        traceParent.ShouldBe(upstream.Id);
        mtActivityId.ShouldBeNull();
        correlationId.ShouldBe(id);
    }

    private static string? Header(ConsumeContext context, string name) =>
        context.ReceiveContext.TransportHeaders.TryGetHeader(name, out var value) ? value?.ToString() : null;
}
