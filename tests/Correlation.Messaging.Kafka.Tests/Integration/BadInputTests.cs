using System.Text;
using Confluent.Kafka;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Kafka.Tests.Integration;

/// <summary>
/// Hostile and sloppy inbound headers, written by a raw producer and read by the helpers: each gets the outcome the
/// policy promises, and no record is lost (handled, or handed to the caller's dead-letter path).
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class BadInputTests(KafkaFixture kafka)
{
    private const string Valid = "valid-flow-1";

    /// <summary>A case: its headers, and the expected outcome under Regenerate (null ID = a generated one).</summary>
    public sealed record Case(string Name, (string Key, byte[]? Value)[] Headers, CorrelationIdSource Source, string? ExpectedId, bool RejectedUnderReject);

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string Describe(string key, byte[]? value) => key + "=" + (value is null ? "<null>" : Convert.ToHexString(value));

    private static readonly Case[] Cases =
    [
        new("baseline valid", [(CorrelationHeaders.CorrelationId, B(Valid))], CorrelationIdSource.Inbound, Valid, false),
        new("duplicate headers, last valid", [(CorrelationHeaders.CorrelationId, B("first-1")), (CorrelationHeaders.CorrelationId, B("last-1"))], CorrelationIdSource.Inbound, "last-1", false),
        new("duplicate headers, last invalid", [(CorrelationHeaders.CorrelationId, B("first-2")), (CorrelationHeaders.CorrelationId, B("bad value"))], CorrelationIdSource.Replaced, null, true),
        new("null header value", [(CorrelationHeaders.CorrelationId, null)], CorrelationIdSource.Replaced, null, true),
        new("invalid UTF-8", [(CorrelationHeaders.CorrelationId, [0x61, 0xC3, 0x28, 0x62])], CorrelationIdSource.Replaced, null, true),
        new("10 KB value", [(CorrelationHeaders.CorrelationId, B(new string('a', 10 * 1024)))], CorrelationIdSource.Replaced, null, true),
        new("CR/LF log forging", [(CorrelationHeaders.CorrelationId, B("abc\r\nlevel=error forged"))], CorrelationIdSource.Replaced, null, true),
        new("alias only: correlation-id", [(CorrelationHeaders.CorrelationIdLowerKebab, B("alias-kebab"))], CorrelationIdSource.Inbound, "alias-kebab", false),
        new("alias only: rbs2-corr-id", [(CorrelationHeaders.Rebus, B("alias-rebus"))], CorrelationIdSource.Inbound, "alias-rebus", false),
        new("missing", [("unrelated", B("x"))], CorrelationIdSource.Generated, null, true),
        new("no headers at all", [], CorrelationIdSource.Generated, null, true),
        new("empty value", [(CorrelationHeaders.CorrelationId, [])], CorrelationIdSource.Replaced, null, true),
        new("whitespace", [(CorrelationHeaders.CorrelationId, B("   "))], CorrelationIdSource.Replaced, null, true),
        new("disallowed characters", [(CorrelationHeaders.CorrelationId, B("a/b c"))], CorrelationIdSource.Replaced, null, true),
        new("bidi override", [(CorrelationHeaders.CorrelationId, B("abc\u202Edef"))], CorrelationIdSource.Replaced, null, true),
        new("NUL byte", [(CorrelationHeaders.CorrelationId, [0x61, 0x00, 0x62])], CorrelationIdSource.Replaced, null, true),
        new("129 characters", [(CorrelationHeaders.CorrelationId, B(new string('b', 129)))], CorrelationIdSource.Replaced, null, true),
        new("128 characters", [(CorrelationHeaders.CorrelationId, B(new string('c', 128)))], CorrelationIdSource.Inbound, new string('c', 128), false),
        new("lower-case canonical name", [("x-correlation-id", B("lower-name"))], CorrelationIdSource.Inbound, "lower-name", false),
        new("invalid canonical beats valid alias", [(CorrelationHeaders.CorrelationId, B("bad\tid")), (CorrelationHeaders.CorrelationIdLowerKebab, B("alias-ignored"))], CorrelationIdSource.Replaced, null, true),
        new("invalid causation ignored", [(CorrelationHeaders.CorrelationId, B("with-bad-cause")), (CorrelationHeaders.CausationId, B("x\r\ny"))], CorrelationIdSource.Inbound, "with-bad-cause", false),
        new("invalid message ID falls back to offset", [(CorrelationHeaders.CorrelationId, B("with-bad-mid")), (CorrelationHeaders.MessageId, [0xFF])], CorrelationIdSource.Inbound, "with-bad-mid", false),
        new("invalid UTF-8 in alias", [(CorrelationHeaders.CorrelationIdPascal, [0xFE, 0xFF])], CorrelationIdSource.Replaced, null, true),
    ];

    private async Task<string> ProduceCasesAsync()
    {
        var topic = KafkaFixture.NewTopic("bad");
        using var raw = kafka.RawProducer();
        for (var i = 0; i < Cases.Length; i++)
        {
            var headers = new Headers();
            foreach (var (key, value) in Cases[i].Headers)
            {
                headers.Add(key, value);
            }

            // Key = case index; the last case is a tombstone (null value) to show the value plays no part.
            raw.Produce(new TopicPartition(topic, 0), new Message<string, string> { Key = i.ToString(System.Globalization.CultureInfo.InvariantCulture), Value = i == Cases.Length - 1 ? null! : Cases[i].Name, Headers = headers });
        }

        raw.Flush(TestContext.Current.CancellationToken);
        return topic;
    }

    [Fact]
    public async Task RegeneratePolicy_EveryRecordHandledWithPromisedOutcome()
    {
        Cases.Length.ShouldBeGreaterThanOrEqualTo(15, "the cases cover at least fifteen kinds of bad input");
        var propagator = new CorrelationPropagator(new CorrelationOptions());
        var topic = await ProduceCasesAsync();
        var outcomes = new Dictionary<int, CorrelationContext>();
        using var consumer = kafka.AssignedConsumer(topic);

        KafkaFixture.Until(
            () => outcomes.Count >= Cases.Length,
            () => consumer.ConsumeWithCorrelation(propagator, r => outcomes.Add(int.Parse(r.Message.Key, System.Globalization.CultureInfo.InvariantCulture), CorrelationContext.Current!), TimeSpan.FromMilliseconds(200)),
            "not every bad-input record was handled");

        outcomes.Count.ShouldBe(Cases.Length);
        for (var i = 0; i < Cases.Length; i++)
        {
            var (c, context) = (Cases[i], outcomes[i]);
            context.Source.ShouldBe(c.Source, c.Name);
            if (c.ExpectedId is not null)
            {
                context.CorrelationId.ShouldBe(c.ExpectedId, c.Name);
            }
            else
            {
                Guid.TryParse(context.CorrelationId, out _).ShouldBeTrue($"{c.Name}: a generated UUID, got {context.CorrelationId}");
            }

            context.MessageId.ShouldBe($"{topic}:0:{i}", c.Name);
        }

        outcomes[Cases.ToList().FindIndex(c => c.Name == "invalid causation ignored")].CausationId.ShouldBeNull();
    }

    [Fact]
    public async Task RejectPolicy_InvalidRecordsReachCallerAndDeadLetterTopic_NothingLost()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions
        {
            InvalidIdPolicy = InvalidCorrelationIdPolicy.Reject,
            MissingIdPolicy = MissingCorrelationIdPolicy.Reject,
        });
        var topic = await ProduceCasesAsync();
        var deadLetterTopic = topic + "-dlq";
        var handled = new List<int>();
        var deadLettered = new List<int>();
        using var deadLetter = kafka.RawProducer();
        using var consumer = kafka.AssignedConsumer(topic);

        // The caller's loop: the helper never commits; a rejected record reaches this catch before any commit.
        KafkaFixture.Until(
            () => handled.Count + deadLettered.Count >= Cases.Length,
            () =>
            {
                try
                {
                    var result = consumer.ConsumeWithCorrelation(propagator, r => handled.Add(int.Parse(r.Message.Key, System.Globalization.CultureInfo.InvariantCulture)), TimeSpan.FromMilliseconds(200));
                    if (result is not null)
                    {
                        consumer.StoreOffset(result);
                    }
                }
                catch (ConsumeProcessingException<string, string> ex)
                {
                    ex.InnerException.ShouldBeOfType<CorrelationIdRejectedException>();
                    CorrelationContext.Current.ShouldBeNull();
                    deadLetter.Produce(new TopicPartition(deadLetterTopic, 0), ex.ConsumeResult!.Message);
                    deadLettered.Add(int.Parse(ex.ConsumeResult.Message.Key, System.Globalization.CultureInfo.InvariantCulture));
                    consumer.StoreOffset(ex.ConsumeResult);
                }
            },
            "not every record was handled or dead-lettered");
        deadLetter.Flush(TestContext.Current.CancellationToken);

        handled.Order().ShouldBe(Enumerable.Range(0, Cases.Length).Where(i => !Cases[i].RejectedUnderReject));
        deadLettered.Order().ShouldBe(Enumerable.Range(0, Cases.Length).Where(i => Cases[i].RejectedUnderReject));

        // The dead-letter topic holds the rejected records with their original headers, byte for byte.
        var dlq = new List<ConsumeResult<string, string>>();
        using var dlqConsumer = kafka.AssignedConsumer(deadLetterTopic);
        KafkaFixture.Until(
            () => dlq.Count >= deadLettered.Count,
            () =>
            {
                if (dlqConsumer.Consume(TimeSpan.FromMilliseconds(200)) is { Message: not null } r)
                {
                    dlq.Add(r);
                }
            },
            "the dead-letter topic is incomplete");
        foreach (var record in dlq)
        {
            var c = Cases[int.Parse(record.Message.Key, System.Globalization.CultureInfo.InvariantCulture)];
            record.Message.Headers.Select(h => Describe(h.Key, h.GetValueBytes())).ShouldBe(c.Headers.Select(h => Describe(h.Key, h.Value)), c.Name);
        }
    }
}
