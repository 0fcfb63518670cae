using System.Text;
using Confluent.Kafka;
using Correlation.Messaging.Interop.Tests.Infrastructure;
using Correlation.Messaging.Propagation;
using OpenTelemetry.Context.Propagation;

namespace Correlation.Messaging.Interop.Tests.OpenTelemetry;

/// <summary>
/// The baggage bridge over a real Kafka hop, with OpenTelemetry's own W3C baggage propagator as the other side: what
/// we write, it reads; what it writes (and nothing else), we restore.
/// </summary>
[Collection(BrokersCollection.Name)]
public sealed class BaggageBridgeTests
{
    private static readonly BaggagePropagator OtelBaggage = new();

    [Fact]
    public async Task CorrelatingProducer_BridgeOn_OpenTelemetryBaggagePropagatorReadsTheCorrelationId()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions { BridgeBaggage = true });
        var topic = Brokers.NewName("baggage-out");
        await Brokers.CreateTopicAsync(topic);
        var flow = "bag-" + Guid.NewGuid().ToString("N");
        using (var producer = Brokers.CorrelatingProducer(propagator))
        using (CorrelationContext.BeginScope(new CorrelationContext(flow)))
        {
            await producer.ProduceAsync(topic, new Message<string, string> { Value = "x" }, TestContext.Current.CancellationToken);
        }

        var record = Brokers.ConsumeOne(topic, propagator, _ => { });

        var otel = OtelBaggage.Extract(default, record.Message.Headers, static (headers, name) =>
            headers.Where(h => h.Key == name).Select(h => Encoding.UTF8.GetString(h.GetValueBytes())));
        otel.Baggage.GetBaggage("correlation_id").ShouldBe(flow);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OpenTelemetryOnlyProducer_BaggageOnly_RestoredOnlyWithTheBridge(bool bridge)
    {
        var topic = Brokers.NewName("baggage-in");
        await Brokers.CreateTopicAsync(topic);
        var flow = "otel-only-" + Guid.NewGuid().ToString("N");
        var headers = new Headers();
        var baggage = global::OpenTelemetry.Baggage.Create(new Dictionary<string, string> { ["correlation_id"] = flow, ["tenant"] = "acme" });
        OtelBaggage.Inject(new PropagationContext(default, baggage), headers, static (h, name, value) => h.Add(name, Encoding.UTF8.GetBytes(value)));
        using (var raw = Brokers.RawProducer())
        {
            await raw.ProduceAsync(topic, new Message<string, string> { Value = "x", Headers = headers }, TestContext.Current.CancellationToken);
        }

        var propagator = new CorrelationPropagator(new CorrelationOptions { BridgeBaggage = bridge });
        string? seen = null;
        CorrelationIdSource? source = null;
        Brokers.ConsumeOne(topic, propagator, _ => (seen, source) = (CorrelationContext.Current!.CorrelationId, CorrelationContext.Current.Source));

        if (bridge)
        {
            seen.ShouldBe(flow);
            source.ShouldBe(CorrelationIdSource.Inbound);
        }
        else
        {
            seen.ShouldNotBe(flow);
            source.ShouldBe(CorrelationIdSource.Generated);
        }
    }
}
