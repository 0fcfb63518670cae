using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Amazon.SQS.Model;
using Correlation.Messaging.Contracts.Oracle;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Sqs.Tests.Integration;

/// <summary>Flow metadata as SQS message attributes: the budget, the packed form, and malformed values from a raw client.</summary>
[Collection(SqsCollection.Name)]
public sealed class SqsFlowMetadataTests(SqsFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Send_InsideAHandler_SeparateAttributesThenPackedAtTheBudget_ConsumerSeesTheNextDepth()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions { ServiceName = "sqs-sender" });
        var client = fixture.CreateClient(propagator);
        var queue = await fixture.CreateQueueAsync("flow-budget");
        var upstream = propagator.Extract(new Dictionary<string, string> { ["X-Correlation-ID"] = "sqs-flow", ["X-Correlation-Flow"] = "2 web 1764505103123" },
            static (c, n) => c.TryGetValue(n, out var v) ? InboundHeaderValue.FromText(v) : InboundHeaderValue.Missing);
        using (propagator.BeginScope(upstream, "handled-1"))
        {
            // 7 caller attributes: room for the three separate fields. 8: the packed attribute.
            await client.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = "separate", MessageAttributes = UserAttributes(7) }, Ct);
            await client.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = "packed", MessageAttributes = UserAttributes(8) }, Ct);
        }

        var received = (await fixture.DrainAsync(queue, 2)).ToDictionary(m => m.Body);
        var separate = received["separate"].MessageAttributes;
        separate.Count.ShouldBe(10);
        FlowOracle.Parse(separate["X-Correlation-Flow"].StringValue).ShouldBe(new FlowValue(3, "web", 1764505103123, null));
        var packed = received["packed"].MessageAttributes;
        packed.Count.ShouldBe(9);
        packed.ShouldNotContainKey("X-Correlation-Flow");
        using var json = JsonDocument.Parse(packed["X-Correlation-Context"].StringValue);
        FlowOracle.Parse(json.RootElement.GetProperty("X-Correlation-Flow").GetString()).ShouldBe(new FlowValue(3, "web", 1764505103123, null));

        // Read back through the package: the packed flow is restored like the separate one.
        foreach (var message in received.Values)
        {
            using var scope = message.BeginCorrelationScope(propagator);
            (CorrelationContext.Current!.CorrelationId, CorrelationContext.Current.Depth, CorrelationContext.Current.Origin).ShouldBe(("sqs-flow", 3, "web"), message.Body);
        }
    }

    [Fact]
    public async Task MalformedFlowFromRawClient_EveryKind_HandledWithIdKeptFlowRestartedNothingLost()
    {
        var queue = await fixture.CreateQueueAsync("flow-bad");
        var cases = new List<(string Kind, Dictionary<string, MessageAttributeValue> Attributes)>();
        foreach (var (kind, bytes, sqsSafe) in FlowOracle.Malformed.Where(m => m.SqsSafe))
        {
            cases.Add((kind, new() { ["X-Correlation-Flow"] = new() { DataType = "String", StringValue = Encoding.UTF8.GetString(bytes) } }));
        }

        cases.Add(("Number", new() { ["X-Correlation-Flow"] = Attr.Number(3) }));
        cases.Add(("Binary", new() { ["X-Correlation-Flow"] = Attr.Binary("1 svc 1764505103123"u8.ToArray()) }));
        cases.Add(("packed member malformed", new() { ["X-Correlation-Context"] = Attr.String("""{"X-Correlation-Flow":"1 svc x"}""") }));
        cases.Add(("packed member a number", new() { ["X-Correlation-Context"] = Attr.String("""{"X-Correlation-Flow":5}""") }));
        for (var i = 0; i < cases.Count; i++)
        {
            var attributes = cases[i].Attributes;
            if (!attributes.ContainsKey("X-Correlation-Context"))
            {
                attributes["X-Correlation-ID"] = Attr.String($"sqs-bad-{i}");
            }
            else
            {
                using var doc = JsonDocument.Parse(attributes["X-Correlation-Context"].StringValue);
                var members = doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetInt32()));
                members["X-Correlation-ID"] = $"sqs-bad-{i}";
                attributes["X-Correlation-Context"] = Attr.String(JsonSerializer.Serialize(members));
            }

            await fixture.LenientRaw.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = i.ToString(System.Globalization.CultureInfo.InvariantCulture), MessageAttributes = attributes }, Ct);
        }

        cases.Count.ShouldBeGreaterThanOrEqualTo(10);
        var propagator = new CorrelationPropagator(new CorrelationOptions { ServiceName = "sqs-consumer" }, fixture.LoggerFactory);
        var results = new ConcurrentDictionary<int, CorrelationContext>();
        var done = await fixture.RunProcessorUntilAsync(
            queue,
            (message, _) =>
            {
                results[int.Parse(message.Body!, System.Globalization.CultureInfo.InvariantCulture)] = CorrelationContext.Current!;
                return Task.CompletedTask;
            },
            () => results.Count == cases.Count,
            propagator: propagator,
            client: fixture.CreateClient(propagator, lenientMd5: true));

        done.ShouldBeTrue($"handled {results.Count} of {cases.Count}");
        for (var i = 0; i < cases.Count; i++)
        {
            (results[i].CorrelationId, results[i].Depth, results[i].Origin).ShouldBe(($"sqs-bad-{i}", 0, "sqs-consumer"), cases[i].Kind);
        }

        (await fixture.CountMessagesAsync(queue)).ShouldBe(0, "every message was handled and deleted");
    }

    private static Dictionary<string, MessageAttributeValue> UserAttributes(int count) =>
        Enumerable.Range(0, count).ToDictionary(i => $"user-{i}", i => Attr.String($"v{i}"));
}
