using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Correlation.Messaging.Contracts;
using Correlation.Messaging.Contracts.Oracle;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq.Internal;
using Correlation.Messaging.RabbitMq.Tests.Infrastructure;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace Correlation.Messaging.RabbitMq.Tests.Reliability;

/// <summary>
/// Generated correlation values (CsCheck; <see cref="WireValueGen"/>) judged by <see cref="WireFormatOracle"/>, an
/// independent reading of docs/wire-format.md: 10,000 through the AMQP carrier's extraction (shrinking any failure), and
/// every kind through a real broker as raw AMQP long strings (bytes as bytes), void, and wrong AMQP types, consumed by
/// MassTransit and by <see cref="CorrelatingBasicConsumer"/>, under every policy. Replay a broker run with the printed
/// <c>ORACLE_SEED</c>, an extraction run with the printed <c>CsCheck_Seed</c>.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class HostileInputTests(RabbitMqFixture fixture)
{
    private const int PerKind = 10;
    private const int MaxShortString = 255;

    /// <summary>Values of the AMQP types the document calls a wrong type, as RabbitMQ.Client writes and reads them.</summary>
    private static readonly WireCapabilities Amqp = new(
        Text: false,
        Bytes: true,
        Null: true,
        WrongTypes:
        [
            42, 42L, (short)7, (byte)1, true, 1.5f, 4.2d, new AmqpTimestamp(1_700_000_000),
            new Dictionary<string, object?> { ["X-Correlation-ID"] = "nested"u8.ToArray() },
            new List<object?> { "in-an-array"u8.ToArray() },
        ]);

    /// <summary>In-process: the same, plus strings (a table built in memory, lone surrogates included).</summary>
    private static readonly WireCapabilities InProcess = Amqp with { Text = true };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void WriteLine(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        TestContext.Current.SendDiagnosticMessage(line);
    }

    [Fact]
    public void Extract_GeneratedHeaderValues_MatchTheWireFormatDocument() =>
        OracleProperties.ExtractionMatchesOracle<IReadOnlyBasicProperties>(
            WireValueGen.For(InProcess),
            static v => new BasicProperties { Headers = new Dictionary<string, object?> { [CorrelationHeaders.CorrelationId] = v.ClientValue } },
            AmqpCarrier.PropertiesGetter,
            WriteLine,
            requiredKinds: [WireKind.Valid, WireKind.OutsideAllowedSet, WireKind.Control, WireKind.InvalidUtf8, WireKind.WrongType]);

    /// <summary>Under another spelling of the header name (the case-insensitive path), the same outcomes.</summary>
    [Fact]
    public void Extract_GeneratedValuesUnderAnotherSpelling_MatchTheWireFormatDocument() =>
        OracleProperties.ExtractionMatchesOracle<IReadOnlyBasicProperties>(
            WireValueGen.For(InProcess),
            static v => new BasicProperties { Headers = new Dictionary<string, object?> { ["x-correlation-id"] = v.ClientValue } },
            AmqpCarrier.PropertiesGetter,
            WriteLine,
            requiredKinds: [WireKind.Valid, WireKind.OutsideAllowedSet, WireKind.Control, WireKind.WrongType]);

    /// <summary>As the AMQP <c>correlation_id</c> property (no header): text as RabbitMQ.Client hands it over.</summary>
    [Fact]
    public void Extract_GeneratedValuesAsCorrelationIdProperty_MatchTheWireFormatDocument() =>
        OracleProperties.ExtractionMatchesOracle<IReadOnlyBasicProperties>(
            WireValueGen.Text(),
            static v => new BasicProperties { CorrelationId = v.Text },
            AmqpCarrier.PropertiesGetter,
            WriteLine,
            nativeCorrelationId: AmqpCarrier.NativeCorrelationId,
            requiredKinds: [WireKind.Valid, WireKind.OutsideAllowedSet, WireKind.EmptyOrWhitespace, WireKind.Control]);

    /// <summary>
    /// MassTransit: every kind, <see cref="PerKind"/> of each, sent by a foreign producer as the <c>X-Correlation-ID</c>
    /// header (bytes as an AMQP long string, void, or a wrong AMQP type) and, for every fourth value that fits, as the
    /// <c>correlation_id</c> property instead. Each gets exactly the document's outcome: kept, replaced (fresh valid ID,
    /// source Replaced) or, under Reject, the error queue with the handler never run. What the handlers send downstream
    /// carries the handler's ID; MassTransit's fault reason carries nothing unsafe.
    /// </summary>
    [Theory]
    [InlineData(InvalidCorrelationIdPolicy.Regenerate)]
    [InlineData(InvalidCorrelationIdPolicy.Reject)]
    [InlineData(InvalidCorrelationIdPolicy.Trust)]
    public async Task MassTransit_GeneratedSampleThroughBroker_MatchesTheWireFormatDocument(InvalidCorrelationIdPolicy policy)
    {
        var (values, seed) = WireValueGen.Batch(WireValueGen.Stratified(Amqp, PerKind));
        var label = $"RabbitMQ/MassTransit, {WireValueGen.SeedVariable}={seed}";
        WriteLine(label);
        var options = new CorrelationOptions { InvalidIdPolicy = policy };
        await using var harness = await RabbitMqContractHarness.CreateAsync(fixture, options, "oracle");
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

        var sent = new Dictionary<string, WireValue>(StringComparer.Ordinal);
        for (var i = 0; i < values.Length; i++)
        {
            var body = $"oracle-{i}";
            var (header, judged) = i % 4 == 3 && AsProperty(values[i]) is { } property
                ? property
                : (new RawHeader(CorrelationHeaders.CorrelationId, values[i].ClientValue), values[i]);
            await harness.SendRawAsync(body, [header], Ct);
            sent.Add(body, judged);
        }

        var check = new OracleCheck(policy, label);
        var expectRejected = sent.Count(p => check.Expect(p.Value).Outcome == ExpectedOutcome.Rejected);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var failed = await harness.ReadFailurePathAsync(Ct);
        while (handled.Count + failed.Count < sent.Count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, Ct);
            failed = await harness.ReadFailurePathAsync(Ct);
        }

        foreach (var (body, value) in sent)
        {
            check.Observe(value, handled.TryGetValue(body, out var context) ? context : null, failed.Contains(body));
        }

        WriteLine($"{label}: {check.Summary()}; error queue {failed.Count} (expected {expectRejected})");
        check.ThrowIfAnyMismatch();
        check.RequireMinimumPerKind(PerKind, [.. values.Select(v => v.Kind).Distinct()]);
        handled.Keys.Where(failed.Contains).ShouldBeEmpty($"{label}: handled and in the error queue");
        failed.Count.ShouldBe(expectRejected, label);

        var downstream = await harness.ReadDownstreamAsync(handled.Count, TimeSpan.FromSeconds(30), Ct);
        downstream.Count.ShouldBe(handled.Count, label);
        foreach (var message in downstream)
        {
            message.CorrelationId.ShouldBe(handled[message.Body]!.CorrelationId, $"{label}: downstream of {sent[message.Body]}");
        }

        foreach (var message in await fixture.Management.PeekAsync(harness.ErrorQueue, values.Length))
        {
            var reason = message.Header("MT-Fault-Message");
            reason.ShouldNotBeNull(label);
            WireFormatOracle.UnsafeCodePoint(reason).ShouldBeNull($"{label}: MT-Fault-Message \"{WireValue.Escape(reason)}\"");
        }

        OracleProperties.NothingUnsafeLogged(harness.Logs, label);
    }

    /// <summary>
    /// RabbitMQ.Client: the same stratified sample through <see cref="CorrelatingBasicConsumer"/>. Kept and replaced values
    /// reach the handler with the document's ID; under Reject the delivery is rejected without requeue and lands in the
    /// queue's dead-letter queue, handler not run.
    /// </summary>
    [Theory]
    [InlineData(InvalidCorrelationIdPolicy.Regenerate)]
    [InlineData(InvalidCorrelationIdPolicy.Reject)]
    [InlineData(InvalidCorrelationIdPolicy.Trust)]
    public async Task RabbitMqClient_GeneratedSampleThroughBroker_MatchesTheWireFormatDocument(InvalidCorrelationIdPolicy policy)
    {
        var (values, seed) = WireValueGen.Batch(WireValueGen.Stratified(Amqp, PerKind));
        var label = $"RabbitMQ.Client, {WireValueGen.SeedVariable}={seed}";
        WriteLine(label);
        var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var propagator = new CorrelationPropagator(new CorrelationOptions { InvalidIdPolicy = policy }, loggerFactory);
        await using var channel = await fixture.CreateChannelAsync();
        var deadLetters = fixture.NewQueueName("oracle-raw-dlq");
        await channel.QueueDeclareAsync(deadLetters, durable: true, exclusive: false, autoDelete: false);
        var queue = fixture.NewQueueName("oracle-raw");
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, new Dictionary<string, object?>
        {
            ["x-dead-letter-exchange"] = string.Empty,
            ["x-dead-letter-routing-key"] = deadLetters,
        });
        var handled = new ConcurrentDictionary<string, CorrelationContext?>(StringComparer.Ordinal);
        var consumer = new CorrelatingBasicConsumer(channel, propagator);
        consumer.ReceivedAsync += async (sender, args) =>
        {
            handled[Encoding.UTF8.GetString(args.Body.Span)] = CorrelationContext.Current;
            await ((CorrelatingBasicConsumer)sender!).Channel.BasicAckAsync(args.DeliveryTag, multiple: false);
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer, Ct);

        for (var i = 0; i < values.Length; i++)
        {
            var properties = new BasicProperties { MessageId = $"m-{i}", Headers = new Dictionary<string, object?> { [CorrelationHeaders.CorrelationId] = values[i].ClientValue } };
            await channel.BasicPublishAsync(string.Empty, queue, true, properties, Encoding.UTF8.GetBytes($"oracle-{i}"), Ct);
        }

        var check = new OracleCheck(policy, label);
        var expectRejected = values.Count(v => check.Expect(v).Outcome == ExpectedOutcome.Rejected);
        IReadOnlyList<ManagementMessage> dead = [];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (handled.Count + dead.Count < values.Length && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, Ct);
            dead = await fixture.Management.PeekAsync(deadLetters, values.Length);
        }

        var deadBodies = dead.Select(m => m.Payload).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < values.Length; i++)
        {
            var body = $"oracle-{i}";
            check.Observe(values[i], handled.TryGetValue(body, out var context) ? context : null, deadBodies.Contains(body));
        }

        WriteLine($"{label}: {check.Summary()}; dead-lettered {deadBodies.Count} (expected {expectRejected})");
        check.ThrowIfAnyMismatch();
        check.RequireMinimumPerKind(PerKind, [.. values.Select(v => v.Kind).Distinct()]);
        deadBodies.Count.ShouldBe(expectRejected, label);
        OracleProperties.NothingUnsafeLogged(logs, label);
        await fixture.Management.DeleteQueueAsync(queue);
        await fixture.Management.DeleteQueueAsync(deadLetters);
    }

    /// <summary>
    /// The value as the <c>correlation_id</c> property, when it can be one: RabbitMQ.Client takes a string and writes its
    /// UTF-8 (a short string, at most 255 bytes), so the value on the wire, and judged, is that encoding.
    /// </summary>
    private static (RawHeader Header, WireValue Judged)? AsProperty(WireValue value)
    {
        if (value.Bytes is null)
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(value.Bytes);
        var onTheWire = Encoding.UTF8.GetBytes(text);
        return onTheWire.Length > MaxShortString
            ? null
            : (new RawHeader(RawHeader.NativeCorrelationId, text), WireValue.OfBytes(value.Kind, onTheWire));
    }
}
