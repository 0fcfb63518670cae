using System.Net.Mime;
using System.Text;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Confluent.Kafka;
using Correlation.Messaging.CloudEvents;
using Correlation.Messaging.Interop.Tests.Infrastructure;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq;
using RabbitMQ.Client;
using Headers = Confluent.Kafka.Headers;

namespace Correlation.Messaging.Interop.Tests.CloudEvents;

/// <summary>
/// The CloudEvents correlation extension (<c>correlationid</c>, <c>causationid</c>) over real Kafka and RabbitMQ, in
/// binary mode (the protocol bindings' <c>ce_</c> / <c>cloudEvents_</c> headers) and structured mode (the event in the
/// body, encoded and decoded by the CloudEvents SDK's JSON formatter).
/// </summary>
[Collection(BrokersCollection.Name)]
public sealed class CloudEventsTests
{
    private const string Causation = "upstream-event-7";

    // -- binary mode, read: a producer that speaks only CloudEvents --

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Kafka_BinaryModeFromCloudEventsOnlyProducer_RestoresCorrelationIdOnlyWithTheBinding(bool binding)
    {
        var topic = Brokers.NewName("ce-bin");
        await Brokers.CreateTopicAsync(topic);
        var flow = "ce-" + Guid.NewGuid().ToString("N");
        var headers = new Headers();
        (string Name, string Value)[] binary =
            [("ce_specversion", "1.0"), ("ce_id", "evt-1"), ("ce_source", "/billing"), ("ce_type", "invoice.created"),
             ("ce_correlationid", flow), ("ce_causationid", Causation), ("content-type", "application/json")];
        foreach (var (name, value) in binary)
        {
            headers.Add(name, Encoding.UTF8.GetBytes(value));
        }

        using (var raw = Brokers.RawProducer())
        {
            await raw.ProduceAsync(topic, new Message<string, string> { Value = "{}", Headers = headers }, TestContext.Current.CancellationToken);
        }

        var options = new CorrelationOptions();
        if (binding)
        {
            options.AddCloudEventsBinaryMode(CloudEventsTransport.Kafka);
        }

        CorrelationContext? seen = null;
        Brokers.ConsumeOne(topic, new CorrelationPropagator(options), _ => seen = CorrelationContext.Current);

        if (binding)
        {
            seen!.CorrelationId.ShouldBe(flow);
            seen.CausationId.ShouldBe(Causation);
        }
        else
        {
            seen!.CorrelationId.ShouldNotBe(flow);
            seen.CausationId.ShouldBeNull();
        }
    }

    [Fact]
    public async Task RabbitMq_BinaryModeFromCloudEventsOnlyProducer_RestoresCorrelationAndCausation()
    {
        await using var connection = await Rabbit.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken);
        var queue = Brokers.NewName("ce-bin");
        var flow = "ce-" + Guid.NewGuid().ToString("N");
        var properties = new BasicProperties
        {
            ContentType = "application/json",
            Headers = new Dictionary<string, object?>
            {
                ["cloudEvents_specversion"] = "1.0",
                ["cloudEvents_id"] = "evt-2",
                ["cloudEvents_source"] = "/billing",
                ["cloudEvents_type"] = "invoice.created",
                ["cloudEvents:correlationid"] = Encoding.UTF8.GetBytes(flow),
                ["cloudEvents:causationid"] = Encoding.UTF8.GetBytes(Causation),
            },
        };
        await Rabbit.PublishAsync(channel, queue, properties, "{}"u8.ToArray());

        var options = new CorrelationOptions().AddCloudEventsBinaryMode(CloudEventsTransport.Amqp);
        var seen = await Rabbit.ConsumeOneAsync(channel, queue, new CorrelationPropagator(options), (_, _) => CorrelationContext.Current!);

        seen.CorrelationId.ShouldBe(flow);
        seen.CausationId.ShouldBe(Causation);
    }

    // -- binary mode, write --

    [Fact]
    public async Task Kafka_BinaryModeWrite_HandlerProduceCarriesCeCorrelationAndCausationHeaders()
    {
        var options = new CorrelationOptions().AddCloudEventsBinaryMode(CloudEventsTransport.Kafka);
        var propagator = new CorrelationPropagator(options);
        var topic = Brokers.NewName("ce-bin-out");
        await Brokers.CreateTopicAsync(topic);
        var flow = "ce-" + Guid.NewGuid().ToString("N");
        using (var producer = Brokers.CorrelatingProducer(propagator))
        using (CorrelationContext.BeginScope(new CorrelationContext(flow, causationId: null, messageId: Causation)))
        {
            await producer.ProduceAsync(topic, new Message<string, string> { Value = "{}" }, TestContext.Current.CancellationToken);
        }

        var record = Brokers.ConsumeOne(topic, new CorrelationPropagator(new CorrelationOptions()), _ => { });

        Brokers.Header(record.Message.Headers, "ce_correlationid").ShouldBe(flow);
        Brokers.Header(record.Message.Headers, "ce_causationid").ShouldBe(Causation);
        Brokers.Header(record.Message.Headers, "X-Correlation-ID").ShouldBe(flow);
    }

    [Fact]
    public async Task RabbitMq_BinaryModeWrite_PropertiesCarryCloudEventsHeaders()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions().AddCloudEventsBinaryMode(CloudEventsTransport.Amqp));
        await using var connection = await Rabbit.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken);
        var queue = Brokers.NewName("ce-bin-out");
        var flow = "ce-" + Guid.NewGuid().ToString("N");
        var properties = new BasicProperties { Headers = new Dictionary<string, object?>() };
        properties.WithCorrelation(new CorrelationContext(flow, causationId: null, messageId: Causation), propagator);
        await Rabbit.PublishAsync(channel, queue, properties, "{}"u8.ToArray());

        var headers = await Rabbit.ConsumeOneAsync(channel, queue, propagator, (p, _) => p.Headers!);

        Encoding.UTF8.GetString((byte[])headers["cloudEvents_correlationid"]!).ShouldBe(flow);
        Encoding.UTF8.GetString((byte[])headers["cloudEvents_causationid"]!).ShouldBe(Causation);
    }

    // -- structured mode --

    [Fact]
    public async Task Kafka_StructuredModeFromCloudEventsOnlyProducer_HandlerRestoresTheEventsCorrelation()
    {
        var topic = Brokers.NewName("ce-struct");
        await Brokers.CreateTopicAsync(topic);
        var flow = "ce-" + Guid.NewGuid().ToString("N");
        var body = Encode(CloudEventsOnlyEvent("evt-3", flow));
        using (var raw = Brokers.RawProducer())
        {
            var headers = new Headers { { "content-type", Encoding.UTF8.GetBytes("application/cloudevents+json") } };
            await raw.ProduceAsync(topic, new Message<string, string> { Value = Encoding.UTF8.GetString(body), Headers = headers }, TestContext.Current.CancellationToken);
        }

        var propagator = new CorrelationPropagator(new CorrelationOptions());
        CorrelationContext? inEvent = null;
        Brokers.ConsumeOne(topic, propagator, record =>
        {
            var cloudEvent = Decode(Encoding.UTF8.GetBytes(record.Message.Value));
            using (cloudEvent.BeginCorrelationScope(propagator))
            {
                inEvent = CorrelationContext.Current;
            }
        });

        inEvent!.CorrelationId.ShouldBe(flow);
        inEvent.CausationId.ShouldBe(Causation);
        inEvent.MessageId.ShouldBe("evt-3");
    }

    [Fact]
    public async Task RabbitMq_StructuredModeRoundTrip_WrittenBySetCorrelationReadByThePlainSdk()
    {
        await using var connection = await Rabbit.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken);
        var queue = Brokers.NewName("ce-struct");
        var flow = "ce-" + Guid.NewGuid().ToString("N");
        var propagator = new CorrelationPropagator(new CorrelationOptions());
        byte[] body;
        using (CorrelationContext.BeginScope(new CorrelationContext(flow, causationId: null, messageId: Causation)))
        {
            body = Encode(NewEvent("evt-4").SetCorrelation(propagator));
        }

        await Rabbit.PublishAsync(channel, queue, new BasicProperties { ContentType = "application/cloudevents+json" }, body);
        var decoded = await Rabbit.ConsumeOneAsync(channel, queue, propagator, (_, b) => new JsonEventFormatter().DecodeStructuredModeMessage(b.ToArray(), new ContentType("application/cloudevents+json"), null));

        // The plain SDK, told nothing about the extension, sees it as two string attributes.
        decoded["correlationid"].ShouldBe(flow);
        decoded["causationid"].ShouldBe(Causation);
    }

    [Theory]
    [InlineData("bad id with spaces")]
    [InlineData("<script>")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789")]
    public void BeginCorrelationScope_InvalidCorrelationId_GetsThePolicy(string forged)
    {
        // The SDK itself refuses control characters in string attributes; what it lets through, our validation judges.
        var cloudEvent = CloudEventsOnlyEvent("evt-5", forged);

        using (cloudEvent.BeginCorrelationScope(new CorrelationPropagator(new CorrelationOptions())))
        {
            CorrelationContext.Current!.Source.ShouldBe(CorrelationIdSource.Replaced);
            CorrelationContext.Current.CorrelationId.ShouldNotBe(forged);
        }

        Should.Throw<CorrelationIdRejectedException>(() =>
            cloudEvent.BeginCorrelationScope(new CorrelationPropagator(new CorrelationOptions { InvalidIdPolicy = InvalidCorrelationIdPolicy.Reject })));
    }

    private static CloudEvent NewEvent(string id) => new()
    {
        Id = id,
        Source = new Uri("/billing", UriKind.Relative),
        Type = "invoice.created",
        DataContentType = "application/json",
        Data = new { Amount = 12 },
    };

    /// <summary>An event written with the plain SDK only: the extension set by name, as a CloudEvents-only producer does.</summary>
    private static CloudEvent CloudEventsOnlyEvent(string id, string correlationId)
    {
        var cloudEvent = NewEvent(id);
        cloudEvent["correlationid"] = correlationId;
        cloudEvent["causationid"] = Causation;
        return cloudEvent;
    }

    private static byte[] Encode(CloudEvent cloudEvent) => new JsonEventFormatter().EncodeStructuredModeMessage(cloudEvent, out _).ToArray();

    private static CloudEvent Decode(byte[] body) =>
        new JsonEventFormatter().DecodeStructuredModeMessage(body, new ContentType("application/cloudevents+json"), CloudEventCorrelation.Attributes);
}
