using System.Diagnostics;
using Confluent.Kafka;
using Correlation.Messaging.Interop.Tests.Infrastructure;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Interop.Tests.OpenTelemetry;

/// <summary>
/// The README's "Correlation ID or trace ID?" in one test: a flow whose work is picked up later by a batch job (as a
/// saga timeout, a retry days later or a nightly run is) gets a second trace, while its correlation ID stays whole.
/// </summary>
[Collection(BrokersCollection.Name)]
public sealed class SplitTraceTests
{
    private const string AppSource = "Interop.Checkout";

    [Fact]
    public async Task BatchJobContinuesFlow_NewTrace_CorrelationIdStillJoinsEverySpan()
    {
        await Task.Yield();
        Activity.Current = null;
        using var app = new ActivitySource(AppSource);
        using var spans = new InMemorySpans(AppSource, "Correlation.Messaging.Kafka");
        var propagator = new CorrelationPropagator(new CorrelationOptions { PropagateTraceContext = true });
        var orders = Brokers.NewName("split-orders");
        var invoices = Brokers.NewName("split-invoices");
        await Brokers.CreateTopicAsync(orders);
        await Brokers.CreateTopicAsync(invoices);
        var flow = "split-" + Guid.NewGuid().ToString("N");
        using var producer = Brokers.CorrelatingProducer(propagator);

        // 1. The request: one trace from the checkout span through the order's consumer.
        using (var checkout = app.StartActivity("checkout"))
        using (CorrelationContext.BeginScope(new CorrelationContext(flow)))
        {
            await producer.ProduceAsync(orders, new Message<string, string> { Value = "order-1" }, TestContext.Current.CancellationToken);
        }

        Correlated<string> queued = default;
        Brokers.ConsumeOne(orders, propagator, record => queued = Correlated.Capture(record.Message.Value));

        // 2. Later, a batch job with a trace of its own invoices the queued order.
        Activity.Current = null;
        using (var batch = app.StartActivity("nightly-invoicing"))
        using (queued.Restore(propagator, "invoice-batch"))
        {
            await producer.ProduceAsync(invoices, new Message<string, string> { Value = queued.Value }, TestContext.Current.CancellationToken);
        }

        Brokers.ConsumeOne(invoices, propagator, _ => { });

        var exported = spans.Exported;
        var request = exported.Where(s => s.OperationName is "checkout" || s.OperationName.StartsWith(orders, StringComparison.Ordinal)).ToList();
        var later = exported.Where(s => s.OperationName is "nightly-invoicing" || s.OperationName.StartsWith(invoices, StringComparison.Ordinal)).ToList();
        request.Count.ShouldBe(3);
        later.Count.ShouldBe(3);

        // The trace is split: no trace query joins the request and the batch.
        request.Select(s => s.TraceId).Distinct().ShouldHaveSingleItem();
        later.Select(s => s.TraceId).Distinct().ShouldHaveSingleItem();
        later[0].TraceId.ShouldNotBe(request[0].TraceId);

        // The flow is whole: every messaging span carries the one correlation ID.
        var messaging = exported.Where(s => s.Source.Name == "Correlation.Messaging.Kafka").ToList();
        messaging.Count.ShouldBe(4);
        messaging.ShouldAllBe(s => (string?)s.GetTagItem("messaging.message.conversation_id") == flow);
    }
}
