using System.Collections.Concurrent;
using Correlation.Messaging.Contracts;
using Correlation.Messaging.Propagation;
using Amazon.SQS;
using Amazon.SQS.Model;
using Correlation.Messaging.Sqs.Propagation;
using Correlation.Messaging.Sqs.Propagation.Internal;
using Correlation.Messaging.Sqs.Tests.Integration;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Sqs.Tests.Reliability;

/// <summary>
/// Hostile correlation values (<see cref="HostileValues"/>, seed <c>HOSTILE_SEED</c> or the fixed default) through SQS:
/// all 10,000 through the attribute extraction under every policy, and every 25th of them (400) through the emulator
/// as a foreign producer's attributes, consumed by <see cref="SqsMessageProcessor"/>.
/// </summary>
[Collection(SqsCollection.Name)]
public sealed class SqsHostileInputTests(SqsFixture fixture)
{
    private const int Count = 10_000;
    private const int SampleEvery = 25;

    private static readonly HttpClient Http = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Extract_TenThousandHostileValuesInEveryAttributeShape_KeepPromisesUnderEveryPolicy()
    {
        var seed = HostileValues.Seed;
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var carrierPropagator = new CorrelationPropagator(new CorrelationOptions(), factory);
        var index = 0;

        HostileInputAssertions.ExtractionKeepsPromises(
            HostileValues.Generate(seed, Count),
            seed,
            value => new InboundAttributes(HostileAttributes.For(value, index++), carrierPropagator),
            InboundAttributes.Get);

        index.ShouldBe(Count);
        HostileInputAssertions.NothingUnsafeLogged(logs, seed);
        TestContext.Current.TestOutputHelper?.WriteLine($"seed {seed}: {Count} hostile values in {HostileAttributes.Shapes} attribute shapes, each extracted under Regenerate, Reject and Trust");
    }

    [Fact]
    public async Task Process_HostileSampleUnderRegenerate_HandlerRunsWithSafeIdsAndOutgoingAttributesAreSafe()
    {
        var seed = HostileValues.Seed;
        var queue = await fixture.CreateQueueAsync("hostile");
        var downstream = await fixture.CreateQueueAsync("hostile-down");
        var sample = await SendSampleAsync(queue, seed);

        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var propagator = new CorrelationPropagator(new CorrelationOptions { InvalidIdPolicy = InvalidCorrelationIdPolicy.Regenerate }, factory);
        var client = fixture.CreateClient(propagator, lenientMd5: true);
        var handled = new ConcurrentDictionary<string, CorrelationContext>(StringComparer.Ordinal);
        var deliveries = 0;
        var logger = factory.CreateLogger("hostile-handler");

        await RunUntilAsync(client, propagator, factory, queue, async (message, ct) =>
        {
            Interlocked.Increment(ref deliveries);
            var context = CorrelationContext.Current!;
            logger.LogInformation("handling {Body}", message.Body);
            await client.SendMessageAsync(new SendMessageRequest { QueueUrl = downstream, MessageBody = message.Body }, ct);
            handled[message.Body!] = context;
        }, () => handled.Count >= sample.Accepted.Count);

        handled.Keys.ShouldBe(sample.Accepted.Keys, ignoreOrder: true, $"seed {seed}: every accepted message is handled, none lost");
        deliveries.ShouldBe(sample.Accepted.Count, $"seed {seed}: one delivery each");
        foreach (var (body, context) in handled)
        {
            var input = sample.Accepted[body];
            HostileInputAssertions.IsSafeId(context.CorrelationId, seed, input);
            if (context.CausationId is not null)
            {
                // Causation IDs are opaque message IDs (wire format): safe, at most 512 characters.
                HostileInputAssertions.IsSafeId(context.CausationId, seed, input, maxLength: 512);
            }
        }

        var outgoing = await fixture.DrainAsync(downstream, sample.Accepted.Count, TimeSpan.FromSeconds(60), lenientMd5: true);
        outgoing.Count.ShouldBe(sample.Accepted.Count, $"seed {seed}: one downstream message per handled message");
        foreach (var message in outgoing)
        {
            var input = sample.Accepted[message.Body!];
            message.MessageAttributes!.Keys.ShouldBe(["X-Correlation-ID", "X-Causation-ID", "X-Correlation-Flow"], ignoreOrder: true, $"seed {seed}: {input}");
            var correlation = message.MessageAttributes["X-Correlation-ID"].StringValue;
            var causation = message.MessageAttributes["X-Causation-ID"].StringValue;
            HostileInputAssertions.IsSafeId(correlation, seed, input);
            HostileInputAssertions.IsSafeId(causation, seed, input);
            correlation.ShouldBe(handled[message.Body!].CorrelationId, $"seed {seed}: {input}");
            causation.ShouldBe(handled[message.Body!].MessageId, $"seed {seed}: {input}");
        }

        HostileInputAssertions.NothingUnsafeLogged(logs, seed);
        logs.WithEventName("InvalidCorrelationIdReplaced").ShouldNotBeEmpty();
        (await fixture.CountMessagesAsync(queue)).ShouldBe(0);
        Report("Regenerate", seed, sample, $"handled {handled.Count}, downstream {outgoing.Count}");
    }

    [Fact]
    public async Task Process_HostileSampleUnderReject_EachHandledOrDeadLetteredNothingLost()
    {
        var seed = HostileValues.Seed;
        var deadLetterQueue = await fixture.CreateQueueAsync("hostile-dlq");
        var redrive = $$"""{"maxReceiveCount":"2","deadLetterTargetArn":"{{await fixture.GetQueueArnAsync(deadLetterQueue)}}"}""";

        // Visibility 3 s, longer than the 1 s long poll; maxReceiveCount 2 (see SqsContractHarness for both emulator quirks).
        var queue = await fixture.CreateQueueAsync("hostile-rej", new() { ["VisibilityTimeout"] = "3", ["RedrivePolicy"] = redrive });
        var sample = await SendSampleAsync(queue, seed);

        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var options = new CorrelationOptions { InvalidIdPolicy = InvalidCorrelationIdPolicy.Reject };
        var propagator = new CorrelationPropagator(options, factory);
        var handled = new ConcurrentDictionary<string, CorrelationContext>(StringComparer.Ordinal);
        var dead = new ConcurrentDictionary<string, Message>(StringComparer.Ordinal);

        await RunUntilAsync(fixture.CreateClient(propagator, lenientMd5: true), propagator, factory, queue, (message, _) =>
        {
            handled[message.Body!] = CorrelationContext.Current!;
            return Task.CompletedTask;
        }, () => handled.Count + dead.Count >= sample.Accepted.Count, async () =>
        {
            foreach (var message in await fixture.DrainAsync(deadLetterQueue, 10, TimeSpan.FromSeconds(1), lenientMd5: true))
            {
                dead[message.Body!] = message;
            }
        });

        handled.Keys.Intersect(dead.Keys).ShouldBeEmpty($"seed {seed}: a message was both handled and dead-lettered");
        handled.Keys.Concat(dead.Keys).ShouldBe(sample.Accepted.Keys, ignoreOrder: true, $"seed {seed}: every accepted message is handled or dead-lettered, none lost");
        handled.ShouldNotBeEmpty();
        dead.ShouldNotBeEmpty();
        foreach (var (body, context) in handled)
        {
            HostileInputAssertions.IsSafeId(context.CorrelationId, seed, sample.Accepted[body]);
        }

        var quiet = new CorrelationPropagator(options);
        foreach (var (body, message) in dead)
        {
            Should.Throw<CorrelationIdRejectedException>(() => message.ExtractCorrelation(quiet), $"seed {seed}: dead-lettered but valid: {sample.Accepted[body]}");
        }

        logs.WithEventName("MessageHandlingFailed").Count(l => l.Exception is CorrelationIdRejectedException).ShouldBeGreaterThanOrEqualTo(dead.Count * 2);
        HostileInputAssertions.NothingUnsafeLogged(logs, seed);
        Report("Reject", seed, sample, $"handled {handled.Count}, dead-lettered {dead.Count}");
    }

    /// <summary>Sends every 25th hostile value as a foreign producer would; values the broker refuses are counted, not lost.</summary>
    private async Task<Sample> SendSampleAsync(string queue, int seed)
    {
        var accepted = new Dictionary<string, HostileValue>(StringComparer.Ordinal);
        var refused = new List<string>();
        var awsWouldRefuse = 0;
        var index = 0;
        foreach (var value in HostileValues.Generate(seed, Count))
        {
            if (index % SampleEvery == 0)
            {
                var body = $"h{index:D5}";
                var attributes = HostileAttributes.For(value, index);
                if (!HostileAttributes.AwsAccepts(attributes))
                {
                    // Real SQS refuses these at send, so no consumer ever meets them; the emulator stores them, and the
                    // AWS SDK then fails to read (or MD5-check) a receive that carries one, which real SQS cannot produce.
                    awsWouldRefuse++;
                    index++;
                    continue;
                }

                var error = await HostileAttributes.SendRawAsync(Http, fixture.ServiceUrl, HostileAttributes.SendMessageJson(queue, body, attributes), Ct);
                if (error is null)
                {
                    accepted[body] = value;
                }
                else
                {
                    error.ShouldContain("InvalidParameterValue", Case.Sensitive, $"seed {seed}: unexpected refusal of {value}");
                    refused.Add(value.Kind);
                }
            }

            index++;
        }

        return new Sample(Count / SampleEvery, accepted, refused, awsWouldRefuse);
    }

    /// <summary>Runs a processor (16 handlers) whose logs go to <paramref name="factory"/> until <paramref name="done"/> holds, then stops it.</summary>
    private static async Task RunUntilAsync(
        IAmazonSQS client,
        CorrelationPropagator propagator,
        ILoggerFactory factory,
        string queue,
        Func<Message, CancellationToken, Task> handler,
        Func<bool> done,
        Func<Task>? poll = null)
    {
        var processor = new SqsMessageProcessor(client, propagator, new SqsProcessorOptions { QueueUrl = queue, WaitTimeSeconds = 1, MaxConcurrency = 16 }, factory);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = processor.RunAsync(handler, stop.Token);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!done() && !run.IsCompleted && DateTime.UtcNow < deadline)
        {
            await (poll?.Invoke() ?? Task.Delay(50, Ct));
        }

        await stop.CancelAsync();
        await run;
    }

    private static void Report(string policy, int seed, Sample sample, string outcome) =>
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"seed {seed}, {policy}: sent {sample.Sent} hostile values through SQS; refused by the broker at send {sample.Refused.Count} " +
            $"({string.Join(", ", sample.Refused.GroupBy(k => k).Select(g => $"{g.Key} {g.Count()}"))}); accepted {sample.Accepted.Count}; {outcome}; " +
            $"real SQS would also have refused {sample.AwsWouldRefuse - sample.Refused.Count} more at send (characters outside its allowed set)");

    private sealed record Sample(int Sent, Dictionary<string, HostileValue> Accepted, List<string> Refused, int AwsWouldRefuse);
}
