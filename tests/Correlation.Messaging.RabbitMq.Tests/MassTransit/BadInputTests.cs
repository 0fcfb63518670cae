using System.Collections.Concurrent;
using System.Text;
using Correlation.Messaging.RabbitMq.Tests.Infrastructure;
using Correlation.Messaging.TestSupport;
using MassTransit;
using RabbitMQ.Client;

namespace Correlation.Messaging.RabbitMq.Tests;

/// <summary>
/// Hostile or broken correlation metadata from a producer that is not MassTransit, in the header and in the AMQP
/// property: no crash, no lost message, the policy applied, one log event, nothing forged into a log line.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class BadInputTests(RabbitMqFixture fixture)
{
    private const string Header = "X-Correlation-ID";

    /// <summary>Name, header value (null: no header), AMQP correlation_id (null: absent).</summary>
    private static readonly Dictionary<string, (object? Header, string? Property)> BadInputs = new()
    {
        ["header-empty"] = (string.Empty, null),
        ["header-whitespace"] = ("   ", null),
        ["header-10kb"] = (new string('a', 10 * 1024), null),
        ["header-crlf"] = ("abc\r\nX-Forged: evil", null),
        ["header-lf-log-forgery"] = ("abc\n[ERR] forged log line", null),
        ["header-nul"] = ("abc\0def", null),
        ["header-invalid-utf8"] = (new byte[] { 0x61, 0xC3, 0x28, 0x62 }, null),
        ["header-overlong-utf8"] = (new byte[] { 0xC0, 0xAF }, null),
        ["header-int"] = (42, null),
        ["header-long"] = (long.MaxValue, null),
        ["header-bool"] = (true, null),
        ["header-table"] = (new Dictionary<string, object?> { ["id"] = "nested" }, null),
        ["header-array"] = (new List<object?> { "a", "b" }, null),
        ["header-bidi-override"] = ("abc\u202Edef", null),
        ["header-zero-width"] = ("abc\u200Bdef", null),
        ["header-space"] = ("has space", null),
        ["header-emoji"] = ("id-\U0001F600", null),
        ["header-ansi-escape"] = ("\u001b[31mred", null),
        ["property-empty"] = (null, string.Empty),
        ["property-crlf"] = (null, "abc\r\nX-Forged: evil"),
        ["property-nul"] = (null, "abc\0def"),
        ["property-too-long"] = (null, new string('p', 255)),
        ["property-slash"] = (null, "a/b"),
        ["header-invalid-property-valid"] = ("bad\r\nvalue", "property-is-valid"),
    };

    [Fact]
    public async Task BadInputs_RegeneratePolicy_EveryMessageHandledWithNewIdOneEventNothingForged()
    {
        (BadInputs.Count >= 15).ShouldBeTrue();
        var queue = fixture.NewQueueName("bad");
        var seen = new ConcurrentDictionary<string, Seen>();
        await using var bus = await fixture.StartBusAsync((_, cfg) => cfg.ReceiveEndpoint(queue, e => e.Handler<Probe>(c =>
        {
            seen[c.Message.Case] = Seen.From(c, c.Message.Case);
            return Task.CompletedTask;
        })));
        var connection = await fixture.ConnectionAsync();
        var logsBefore = fixture.Logs.Logs.Count;

        foreach (var (name, (header, property)) in BadInputs)
        {
            await RawPublisher.PublishAsync(connection, queue, Properties(header, property), RawPublisher.Envelope<Probe>(new { @case = name }));
        }

        (await Eventually.TrueAsync(() => seen.Count == BadInputs.Count, TimeSpan.FromSeconds(30))).ShouldBeTrue($"handled {seen.Count} of {BadInputs.Count}");
        var logs = fixture.Logs.Logs.Skip(logsBefore).ToList();
        foreach (var (name, (header, property)) in BadInputs)
        {
            var handled = seen[name];
            handled.Source.ShouldBe(CorrelationIdSource.Replaced, name);
            var id = handled.CorrelationId.ShouldNotBeNull(name);
            Guid.TryParse(id, out _).ShouldBeTrue(name);
            id.ShouldNotBe(property, name);
            var events = logs.Where(l => l.EventId.Name is "InvalidCorrelationIdReplaced" or "InvalidCorrelationIdRejected" && l.Message.Contains(id, StringComparison.Ordinal)).ToList();
            events.Count.ShouldBe(1, name);
            events[0].Message.ShouldContain(header is null ? "correlation_id" : Header, Case.Sensitive, name);
        }

        // Nothing forged: no log line and no scope field carries a control, bidi or zero-width character, and
        // the forged fragments never start a line.
        foreach (var log in logs)
        {
            HasUnsafe(log.Message).ShouldBeFalse(log.Message);
            log.ScopeFields.Values.OfType<string>().ShouldAllBe(v => !HasUnsafe(v));
        }

        logs.ShouldNotContain(l => l.Message.Contains("\n[ERR]", StringComparison.Ordinal) || l.Message.Contains("\nX-Forged", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HeaderAndPropertyDisagree_ValidHeader_HeaderWinsNoEvent()
    {
        var queue = fixture.NewQueueName("disagree");
        var seen = new ConcurrentQueue<Seen>();
        await using var bus = await fixture.StartBusAsync((_, cfg) => cfg.ReceiveEndpoint(queue, e => e.Handler<Probe>(c =>
        {
            seen.Enqueue(Seen.From(c, c.Message.Case));
            return Task.CompletedTask;
        })));
        var headerId = "hdr-" + Guid.NewGuid().ToString("N");
        var logsBefore = fixture.Logs.Logs.Count;

        await RawPublisher.PublishAsync(await fixture.ConnectionAsync(), queue, Properties(headerId, "prop-" + Guid.NewGuid().ToString("N")), RawPublisher.Envelope<Probe>(new { @case = "disagree" }));

        (await Eventually.TrueAsync(() => !seen.IsEmpty, TimeSpan.FromSeconds(20))).ShouldBeTrue();
        seen.Single().CorrelationId.ShouldBe(headerId);
        seen.Single().Source.ShouldBe(CorrelationIdSource.Inbound);
        fixture.Logs.Logs.Skip(logsBefore).ShouldNotContain(l => l.Category == "Correlation.Messaging" && l.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public async Task AliasHeader_NoCanonicalNoProperty_AdoptedAfterProperty()
    {
        var queue = fixture.NewQueueName("alias");
        var seen = new ConcurrentQueue<Seen>();
        await using var bus = await fixture.StartBusAsync((_, cfg) => cfg.ReceiveEndpoint(queue, e => e.Handler<Probe>(c =>
        {
            seen.Enqueue(Seen.From(c, c.Message.Case));
            return Task.CompletedTask;
        })));
        var aliasId = "alias-" + Guid.NewGuid().ToString("N");
        var propertyId = "prop-" + Guid.NewGuid().ToString("N");
        var connection = await fixture.ConnectionAsync();

        var aliasOnly = new BasicProperties { Headers = new Dictionary<string, object?> { ["rbs2-corr-id"] = aliasId } };
        await RawPublisher.PublishAsync(connection, queue, aliasOnly, RawPublisher.Envelope<Probe>(new { @case = "alias-only" }));
        var aliasAndProperty = new BasicProperties { CorrelationId = propertyId, Headers = new Dictionary<string, object?> { ["correlation-id"] = aliasId } };
        await RawPublisher.PublishAsync(connection, queue, aliasAndProperty, RawPublisher.Envelope<Probe>(new { @case = "alias-and-property" }));

        (await Eventually.TrueAsync(() => seen.Count == 2, TimeSpan.FromSeconds(20))).ShouldBeTrue();
        seen.Single(s => s.Text == "alias-only").CorrelationId.ShouldBe(aliasId);
        seen.Single(s => s.Text == "alias-and-property").CorrelationId.ShouldBe(propertyId);
    }

    private static BasicProperties Properties(object? header, string? property)
    {
        var properties = new BasicProperties();
        if (header is not null)
        {
            properties.Headers = new Dictionary<string, object?> { [Header] = header };
        }

        if (property is not null)
        {
            properties.CorrelationId = property;
        }

        return properties;
    }

    private static bool HasUnsafe(string value)
    {
        foreach (var rune in value.EnumerateRunes())
        {
            if (Rune.IsControl(rune) || Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.Format
                    or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator)
            {
                return true;
            }
        }

        return false;
    }
}
