using Microsoft.Extensions.Logging;
using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using Correlation.Messaging.Propagation;
using Amazon.SQS;
using Amazon.SQS.Model;
using Correlation.Messaging.Sqs.Propagation;

namespace Correlation.Messaging.Sqs.Tests.Integration;

[Collection(SqsCollection.Name)]
public sealed class SqsBadInputTests(SqsFixture fixture)
{
    private const string Name = "X-Correlation-ID";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static IEnumerable<BadInput> Cases =>
    [
        new("number", Attr(Name, "Number", "12345"), CorrelationIdProblem.WrongType),
        new("number-custom-type", Attr(Name, "Number.int", "42"), CorrelationIdProblem.WrongType),
        new("binary", new() { [Name] = new() { DataType = "Binary", BinaryValue = new MemoryStream("binary-id-1"u8.ToArray()) } }, CorrelationIdProblem.WrongType),
        new("binary-custom-type", new() { [Name] = new() { DataType = "Binary.gzip", BinaryValue = new MemoryStream([0x1f, 0x8b]) } }, CorrelationIdProblem.WrongType),
        new("whitespace", Attr(Name, "String", "   "), CorrelationIdProblem.Empty),
        new("too-long", Attr(Name, "String", new string('a', 129)), CorrelationIdProblem.TooLong),
        new("oversized-16k", Attr(Name, "String", new string('b', 16 * 1024)), CorrelationIdProblem.TooLong),
        new("crlf-injection", Attr(Name, "String", "abc\r\nX-Forged: yes"), CorrelationIdProblem.UnsafeCharacter),
        new("tab", Attr(Name, "String", "abc\tdef"), CorrelationIdProblem.UnsafeCharacter),
        new("nul", Attr(Name, "String", "abc\0def"), CorrelationIdProblem.UnsafeCharacter),
        new("zero-width-space", Attr(Name, "String", "abc\u200Bdef"), CorrelationIdProblem.UnsafeCharacter),
        new("bidi-override", Attr(Name, "String", "abc\u202Edef"), CorrelationIdProblem.UnsafeCharacter),
        new("line-separator", Attr(Name, "String", "abc\u2028def"), CorrelationIdProblem.UnsafeCharacter),
        new("inner-space", Attr(Name, "String", "abc def"), CorrelationIdProblem.DisallowedCharacter),
        new("markup", Attr(Name, "String", "<script>alert(1)</script>"), CorrelationIdProblem.DisallowedCharacter),
        new("non-ascii-letters", Attr(Name, "String", "café-123"), CorrelationIdProblem.DisallowedCharacter),
        new("emoji", Attr(Name, "String", "id-\U0001F600"), CorrelationIdProblem.DisallowedCharacter),
        new("packed-not-json", Attr(SqsCorrelationAttributes.PackedAttributeName, "String", "{not json"), CorrelationIdProblem.Missing),
        new("packed-number", Attr(SqsCorrelationAttributes.PackedAttributeName, "String", """{"X-Correlation-ID":5}"""), CorrelationIdProblem.WrongType),
        new("packed-empty", Attr(SqsCorrelationAttributes.PackedAttributeName, "String", """{"X-Correlation-ID":""}"""), CorrelationIdProblem.Empty),
        new("packed-crlf", Attr(SqsCorrelationAttributes.PackedAttributeName, "String", """{"X-Correlation-ID":"a\r\nb"}"""), CorrelationIdProblem.UnsafeCharacter),
        new("packed-as-number", Attr(SqsCorrelationAttributes.PackedAttributeName, "Number", "7"), CorrelationIdProblem.Missing),
        new("wrong-type-beats-valid-alias", new() { [Name] = new() { DataType = "Number", StringValue = "1" }, ["correlation-id"] = Sqs.Tests.Attr.String("alias-ok") }, CorrelationIdProblem.WrongType),
        new("no-attributes", null, CorrelationIdProblem.Missing),
        new("valid-alias-only", Attr("correlation-id", "String", "alias-1"), CorrelationIdProblem.None, ExpectedId: "alias-1"),
        // SQS matches MessageAttributeNames case-sensitively, so a case variant is not even received unless the consumer asks for "All".
        new("lower-case-name-not-requested", Attr("x-correlation-id", "String", "lower-1"), CorrelationIdProblem.Missing),
        new("string-custom-type", Attr(Name, "String.uuid", "custom-1"), CorrelationIdProblem.None, ExpectedId: "custom-1"),
        new("bad-causation", new() { [Name] = Sqs.Tests.Attr.String("good-cause-1"), ["X-Causation-ID"] = Sqs.Tests.Attr.String("c\r\nx") }, CorrelationIdProblem.None, ExpectedId: "good-cause-1"),
    ];

    [Fact]
    public async Task Process_BadCorrelationAttributes_EachGetsThePolicyAndNothingIsLost()
    {
        var cases = Cases.ToList();
        cases.Count(c => c.Problem is not (CorrelationIdProblem.None)).ShouldBeGreaterThanOrEqualTo(15);
        var queue = await fixture.CreateQueueAsync("bad");
        foreach (var c in cases)
        {
            if (c.RawAttributesJson is not null)
            {
                await SendRawAsync(queue, c.Name, c.RawAttributesJson);
            }
            else
            {
                await fixture.LenientRaw.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = c.Name, MessageAttributes = c.Attributes }, Ct);
            }
        }

        var observer = new CorrelationPropagator(new CorrelationOptions());
        var results = new ConcurrentDictionary<string, (CorrelationContext Ambient, ExtractedCorrelation Extracted)>();
        var deliveries = 0;
        // This test's own log, so that its assertions never see another test's events.
        var logs = new Correlation.Messaging.TestSupport.CapturingLoggerProvider();
        using var factory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Debug));
        var propagator = new CorrelationPropagator(new CorrelationOptions(), factory);
        var done = await fixture.RunProcessorUntilAsync(queue, (message, _) =>
        {
            Interlocked.Increment(ref deliveries);
            results[message.Body!] = (CorrelationContext.Current!, message.ExtractCorrelation(observer));
            return Task.CompletedTask;
        }, () => results.Count == cases.Count, maxConcurrency: 4, propagator: propagator, client: fixture.CreateClient(propagator, lenientMd5: true));

        done.ShouldBeTrue($"handled {results.Count} of {cases.Count}: missing {string.Join(", ", cases.Select(c => c.Name).Except(results.Keys))}");
        deliveries.ShouldBe(cases.Count);
        foreach (var c in cases)
        {
            var (ambient, extracted) = results[c.Name];
            extracted.Problem.ShouldBe(c.Problem, c.Name);
            ambient.Source.ShouldBe(
                c.Problem switch { CorrelationIdProblem.None => CorrelationIdSource.Inbound, CorrelationIdProblem.Missing => CorrelationIdSource.Generated, _ => CorrelationIdSource.Replaced },
                c.Name);
            if (c.ExpectedId is not null)
            {
                ambient.CorrelationId.ShouldBe(c.ExpectedId, c.Name);
            }
            else
            {
                Guid.TryParse(ambient.CorrelationId, out _).ShouldBeTrue(c.Name);
            }
        }

        results["bad-causation"].Ambient.CausationId.ShouldBeNull();
        (await fixture.CountMessagesAsync(queue)).ShouldBe(0);
        logs.WithEventName("InvalidCorrelationIdReplaced").Count().ShouldBeGreaterThanOrEqualTo(cases.Count(c => c.Problem is not (CorrelationIdProblem.None or CorrelationIdProblem.Missing)));
        logs.WithEventName("InvalidCorrelationIdReplaced").ShouldAllBe(l => !l.Message.Contains('\r') && !l.Message.Contains('\n') && !l.Message.Contains('\u202E'));
    }

    [Fact]
    public async Task SendMessage_EmptyStringAttribute_IsRefusedBySqsWithTypedError()
    {
        var queue = await fixture.CreateQueueAsync("empty");

        var ex = await Should.ThrowAsync<AmazonSQSException>(() => fixture.Raw.SendMessageAsync(
            new SendMessageRequest { QueueUrl = queue, MessageBody = "empty", MessageAttributes = Attr(Name, "String", string.Empty) }, Ct));

        ex.ErrorCode.ShouldBe("InvalidParameterValue");
        ex.RequestId.ShouldNotBeNullOrEmpty();
    }

    private static Dictionary<string, MessageAttributeValue> Attr(string name, string type, string value) =>
        new() { [name] = new MessageAttributeValue { DataType = type, StringValue = value } };

    /// <summary>Sends JSON our serializer refuses to write (an escaped lone surrogate); the emulator does not check signatures.</summary>
    private async Task SendRawAsync(string queue, string body, string attributesJson)
    {
        using var http = new HttpClient();
        using var content = new StringContent($$"""{"QueueUrl":"{{queue}}","MessageBody":"{{body}}","MessageAttributes":{{attributesJson}}}""", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.0");
        using var request = new HttpRequestMessage(HttpMethod.Post, fixture.ServiceUrl) { Content = content };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "AmazonSQS.SendMessage");
        using var response = await http.SendAsync(request, Ct);
        response.IsSuccessStatusCode.ShouldBeTrue(await response.Content.ReadAsStringAsync(Ct));
    }

    public sealed record BadInput(
        string Name,
        Dictionary<string, MessageAttributeValue>? Attributes,
        CorrelationIdProblem Problem,
        string? ExpectedId = null,
        string? RawAttributesJson = null);
}
