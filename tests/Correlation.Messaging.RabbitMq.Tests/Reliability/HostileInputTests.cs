using System.Collections.Concurrent;
using System.Text;
using Correlation.Messaging.Contracts;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq.Internal;
using Correlation.Messaging.RabbitMq.Tests.Infrastructure;
using Correlation.Messaging.TestSupport;
using RabbitMQ.Client;

namespace Correlation.Messaging.RabbitMq.Tests.Reliability;

/// <summary>
/// Seeded hostile correlation values (<see cref="HostileValues"/>): a sample through a real broker and MassTransit, and
/// the full 10,000 through the AMQP carrier's extraction. Failure messages carry the seed; set <c>HOSTILE_SEED</c> to replay.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class HostileInputTests(RabbitMqFixture fixture)
{
    private const int Sample = 500;
    private const int MaxShortString = 255;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// A foreign producer sends the sample as the <c>X-Correlation-ID</c> header (text as an AMQP long string, bytes as
    /// they are) and, for every fifth value, as the AMQP <c>correlation_id</c> instead. Every message is handled (and sends
    /// downstream) or, under <c>Reject</c>, lands in the error queue: exactly the ones the policy rejects. Nothing is lost;
    /// no unsafe character reaches a log line, a handler's ID or an outgoing header.
    /// </summary>
    [Theory]
    [InlineData(InvalidCorrelationIdPolicy.Regenerate)]
    [InlineData(InvalidCorrelationIdPolicy.Reject)]
    public async Task HostileSample_ThroughBroker_HandledOrErrorQueueNothingLostNothingUnsafe(InvalidCorrelationIdPolicy policy)
    {
        var seed = HostileValues.Seed + (int)policy;
        var options = new CorrelationOptions { InvalidIdPolicy = policy };
        var expectation = new CorrelationPropagator(options);
        await using var harness = await RabbitMqContractHarness.CreateAsync(fixture, options, "hostile");
        var handled = new ConcurrentDictionary<string, CorrelationContext?>(StringComparer.Ordinal);
        await harness.StartConsumerAsync(
            async call =>
            {
                handled[call.Body] = call.Context;
                await call.SendDownstreamAsync(call.Body);
            },
            e =>
            {
                e.PrefetchCount = 64;
                e.ConcurrentMessageLimit = 16;
            });

        var sent = new Dictionary<string, HostileValue>(StringComparer.Ordinal);
        var expectRejected = new HashSet<string>(StringComparer.Ordinal);
        var refused = 0;
        var index = 0;
        foreach (var value in HostileValues.Generate(seed, Sample))
        {
            var body = $"hostile-{seed}-{index}";
            var asProperty = index++ % 5 == 4; // 5 and the generator's 8 kinds are coprime: every kind goes both ways
            RawHeader header;
            var delivered = new BasicProperties();
            if (asProperty)
            {
                // The AMQP correlation_id is a short string: RabbitMQ.Client cannot send more than 255 UTF-8 bytes.
                var text = value.AsText();
                if (Encoding.UTF8.GetByteCount(text) > MaxShortString)
                {
                    refused++;
                    continue;
                }

                header = new RawHeader(RawHeader.NativeCorrelationId, text);
                delivered.CorrelationId = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));
            }
            else
            {
                header = new RawHeader(CorrelationHeaders.CorrelationId, value.Text is not null ? value.Text : value.Bytes);
                delivered.Headers = new Dictionary<string, object?> { [CorrelationHeaders.CorrelationId] = value.AsBytes() };
            }

            await harness.SendRawAsync(body, [header], Ct);
            sent.Add(body, value);
            try
            {
                expectation.Extract((IReadOnlyBasicProperties)delivered, AmqpCarrier.PropertiesGetter, AmqpCarrier.NativeCorrelationId(delivered));
            }
            catch (CorrelationIdRejectedException)
            {
                expectRejected.Add(body);
            }
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var failed = await harness.ReadFailurePathAsync(Ct);
        while (handled.Count + failed.Count < sent.Count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, Ct);
            failed = await harness.ReadFailurePathAsync(Ct);
        }

        var settled = handled.Count + failed.Count >= sent.Count;
        var lost = sent.Keys.Where(b => !handled.ContainsKey(b) && !failed.Contains(b)).ToList();
        var summary = $"seed {seed}, policy {policy}: sent {sent.Count} + {refused} refused by the client (correlation_id over 255 bytes), " +
                      $"handled {handled.Count}, error queue {failed.Count} (expected {expectRejected.Count}), lost {lost.Count}";
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        TestContext.Current.SendDiagnosticMessage(summary);

        settled.ShouldBeTrue(summary);
        lost.ShouldBeEmpty(summary + ": " + string.Join(", ", lost.Take(5).Select(b => sent[b].ToString())));
        handled.Keys.Where(failed.Contains).ShouldBeEmpty(summary + ": handled and dead-lettered");
        failed.Order().ShouldBe(expectRejected.Order(), summary + ": the error queue holds exactly what the policy rejects");
        if (policy != InvalidCorrelationIdPolicy.Reject)
        {
            failed.ShouldBeEmpty(summary);
        }

        foreach (var (body, context) in handled)
        {
            HostileInputAssertions.IsSafeId(context?.CorrelationId, seed, sent[body]);
        }

        // Outgoing: what the handlers sent downstream carries safe IDs, the same the handler had.
        var downstream = await harness.ReadDownstreamAsync(handled.Count, TimeSpan.FromSeconds(30), Ct);
        downstream.Count.ShouldBe(handled.Count, summary);
        foreach (var message in downstream)
        {
            HostileInputAssertions.IsSafeId(message.CorrelationId, seed, sent[message.Body]);
            HostileInputAssertions.IsSafeId(message.CausationId, seed, sent[message.Body]);
            message.CorrelationId.ShouldBe(handled[message.Body]!.CorrelationId, summary);
        }

        // The error queue keeps the original message as it came (that is its purpose), and MassTransit's reason is safe.
        foreach (var message in await fixture.Management.PeekAsync(harness.ErrorQueue, Sample))
        {
            var reason = message.Header("MT-Fault-Message");
            reason.ShouldNotBeNull(summary);
            HostileInputAssertions.IsSafeId(reason, seed, new HostileValue("MT-Fault-Message", reason, null), maxLength: 4096);
        }

        HostileInputAssertions.NothingUnsafeLogged(harness.Logs, seed);
    }

    /// <summary>The full 10,000 as a RabbitMQ.Client delivery carries them: the header as an AMQP long string (bytes).</summary>
    [Fact]
    public void Extract_TenThousandHostileValuesAsDeliveredBytes_KeepEveryPolicyPromise()
    {
        var seed = HostileValues.Seed;
        TestContext.Current.SendDiagnosticMessage($"hostile seed {seed}");
        HostileInputAssertions.ExtractionKeepsPromises<IReadOnlyBasicProperties>(
            HostileValues.Generate(seed, 10_000),
            seed,
            static v => new BasicProperties { Headers = new Dictionary<string, object?> { [CorrelationHeaders.CorrelationId] = v.AsBytes() } },
            AmqpCarrier.PropertiesGetter);
    }

    /// <summary>
    /// The full 10,000 as text under another spelling of the header name (the case-insensitive path), next to a
    /// second spelling (a duplicate), as a client that builds its table from strings would send them.
    /// </summary>
    [Fact]
    public void Extract_TenThousandHostileValuesAsTextUnderOtherSpellings_KeepEveryPolicyPromise()
    {
        var seed = HostileValues.Seed + 2;
        HostileInputAssertions.ExtractionKeepsPromises<IReadOnlyBasicProperties>(
            HostileValues.Generate(seed, 10_000),
            seed,
            static v => new BasicProperties
            {
                Headers = new Dictionary<string, object?>
                {
                    ["x-correlation-id"] = v.AsText(),
                    ["X-CORRELATION-ID"] = v.Kind == "valid" ? "second-spelling" : v.AsBytes(),
                },
            },
            AmqpCarrier.PropertiesGetter);
    }
}
