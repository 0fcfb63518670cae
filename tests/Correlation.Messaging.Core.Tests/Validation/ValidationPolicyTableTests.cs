using Microsoft.Extensions.Logging;
using System.Text;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Tests.Validation;

/// <summary>The validation table: every bad value, with its expected outcome under each invalid-ID policy.</summary>
public sealed class ValidationPolicyTableTests
{
    public static TheoryData<string, CorrelationIdProblem> BadValues()
    {
        var data = new TheoryData<string, CorrelationIdProblem>();
        foreach (var (name, (_, problem)) in Cases)
        {
            data.Add(name, problem);
        }

        return data;
    }

    private static readonly Dictionary<string, (InboundHeaderValue Value, CorrelationIdProblem Problem)> Cases = new()
    {
        ["empty"] = (Text(string.Empty), CorrelationIdProblem.Empty),
        ["whitespace"] = (Text("   "), CorrelationIdProblem.Empty),
        ["129 chars"] = (Text(new string('a', 129)), CorrelationIdProblem.TooLong),
        ["10 KB"] = (Text(new string('x', 10 * 1024)), CorrelationIdProblem.TooLong),
        ["10 KB bytes"] = (Bytes(new byte[10 * 1024].Select(_ => (byte)'b').ToArray()), CorrelationIdProblem.TooLong),
        ["CR"] = (Text("a\rb"), CorrelationIdProblem.UnsafeCharacter),
        ["LF"] = (Text("a\nb"), CorrelationIdProblem.UnsafeCharacter),
        ["CRLF forged log line"] = (Text("abc\r\n2026-01-01 INFO forged"), CorrelationIdProblem.UnsafeCharacter),
        ["NUL"] = (Text("\0"), CorrelationIdProblem.UnsafeCharacter),
        ["TAB"] = (Text("a\tb"), CorrelationIdProblem.UnsafeCharacter),
        ["ESC (ANSI)"] = (Text("a\u001b[31mb"), CorrelationIdProblem.UnsafeCharacter),
        ["DEL"] = (Text("a\u007fb"), CorrelationIdProblem.UnsafeCharacter),
        ["NEL (C1)"] = (Text("a\u0085b"), CorrelationIdProblem.UnsafeCharacter),
        ["line separator"] = (Text("a\u2028b"), CorrelationIdProblem.UnsafeCharacter),
        ["paragraph separator"] = (Text("a\u2029b"), CorrelationIdProblem.UnsafeCharacter),
        ["bidi override"] = (Text("abc\u202Edcb"), CorrelationIdProblem.UnsafeCharacter),
        ["zero-width space"] = (Text("a\u200Bb"), CorrelationIdProblem.UnsafeCharacter),
        ["BOM"] = (Text("\uFEFFabc"), CorrelationIdProblem.UnsafeCharacter),
        ["lone high surrogate"] = (Text("ab\uD800"), CorrelationIdProblem.UnsafeCharacter),
        ["lone low surrogate"] = (Text("\uDC00ab"), CorrelationIdProblem.UnsafeCharacter),
        ["noncharacter U+FFFF"] = (Text("a\uFFFFb"), CorrelationIdProblem.UnsafeCharacter),
        ["tag character U+E0041 (surrogate pair)"] = (Text("a\U000E0041b"), CorrelationIdProblem.UnsafeCharacter),
        ["cancel tag U+E007F (surrogate pair)"] = (Text("abc\U000E007F"), CorrelationIdProblem.UnsafeCharacter),
        ["musical format U+1D173 (surrogate pair)"] = (Text("a\U0001D173b"), CorrelationIdProblem.UnsafeCharacter),
        ["musical format U+1D17A in bytes"] = (Bytes(Encoding.UTF8.GetBytes("a\U0001D17Ab")), CorrelationIdProblem.UnsafeCharacter),
        ["CR in bytes"] = (Bytes("a\rb"u8.ToArray()), CorrelationIdProblem.UnsafeCharacter),
        ["invalid UTF-8 C3 28"] = (Bytes([0xC3, 0x28]), CorrelationIdProblem.InvalidUtf8),
        ["invalid UTF-8 FF"] = (Bytes([(byte)'a', 0xFF]), CorrelationIdProblem.InvalidUtf8),
        ["overlong UTF-8 slash"] = (Bytes([0xC0, 0xAF]), CorrelationIdProblem.InvalidUtf8),
        ["UTF-8 encoded surrogate"] = (Bytes([0xED, 0xA0, 0x80]), CorrelationIdProblem.InvalidUtf8),
        ["truncated UTF-8"] = (Bytes([(byte)'a', 0xE6, 0x97]), CorrelationIdProblem.InvalidUtf8),
        ["empty bytes"] = (Bytes([]), CorrelationIdProblem.Empty),
        ["null value"] = (InboundHeaderValue.Null, CorrelationIdProblem.Null),
        ["wrong type int"] = (InboundHeaderValue.WrongType("Int32"), CorrelationIdProblem.WrongType),
        ["wrong type table"] = (InboundHeaderValue.WrongType("Table"), CorrelationIdProblem.WrongType),
        ["space"] = (Text("a b"), CorrelationIdProblem.DisallowedCharacter),
        ["slash"] = (Text("a/b"), CorrelationIdProblem.DisallowedCharacter),
        ["quote"] = (Text("a\"b"), CorrelationIdProblem.DisallowedCharacter),
        ["markup"] = (Text("<script>"), CorrelationIdProblem.DisallowedCharacter),
        ["header injection shape"] = (Text("a;b=c"), CorrelationIdProblem.DisallowedCharacter),
        ["accented"] = (Text("café"), CorrelationIdProblem.DisallowedCharacter),
        ["CJK bytes"] = (Bytes(Encoding.UTF8.GetBytes("日本-1")), CorrelationIdProblem.DisallowedCharacter),
        ["emoji pair"] = (Text("id-\U0001F600"), CorrelationIdProblem.DisallowedCharacter),
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void Extract_Regenerate_ReplacesWithGeneratedIdAndLogsSanitizedValue(string name, CorrelationIdProblem problem)
    {
        Cases.Count.ShouldBeGreaterThanOrEqualTo(30, "the table holds at least thirty bad values");
        var logs = new TestSupport.CapturingLoggerProvider();
        var propagator = Propagator(InvalidCorrelationIdPolicy.Regenerate, logs);

        var result = propagator.Extract(Cases[name].Value, static (v, n) => n == CorrelationHeaders.CorrelationId ? v : InboundHeaderValue.Missing);

        result.Source.ShouldBe(CorrelationIdSource.Replaced);
        result.Problem.ShouldBe(problem);
        Guid.TryParse(result.CorrelationId, out _).ShouldBeTrue();
        var log = logs.WithEventName("InvalidCorrelationIdReplaced").ShouldHaveSingleItem();
        log.Message.ShouldNotContain("\r");
        log.Message.ShouldNotContain("\n");
        log.Message.Any(c => char.IsControl(c) || c is '\u202E' or '\u2028' or '\u2029' or '\u200B').ShouldBeFalse();
        log.Message.Length.ShouldBeLessThan(400);
        log.CorrelationId.ShouldBe(result.CorrelationId, "the warning is logged inside the new ID's logging scope (issue 19)");
    }

    [Theory]
    [MemberData(nameof(BadValues))]
    public void Extract_Reject_ThrowsTypedExceptionWithProblemAndSafeValue(string name, CorrelationIdProblem problem)
    {
        var logs = new TestSupport.CapturingLoggerProvider();
        var propagator = Propagator(InvalidCorrelationIdPolicy.Reject, logs);

        var ex = Should.Throw<CorrelationIdRejectedException>(
            () => propagator.Extract(Cases[name].Value, static (v, n) => n == CorrelationHeaders.CorrelationId ? v : InboundHeaderValue.Missing));

        ex.Problem.ShouldBe(problem);
        ex.HeaderName.ShouldBe(CorrelationHeaders.CorrelationId);
        ex.Message.Any(char.IsControl).ShouldBeFalse();
        logs.WithEventName("InvalidCorrelationIdRejected").ShouldHaveSingleItem();
    }

    [Theory]
    [MemberData(nameof(BadValues))]
    public void Extract_Trust_AcceptsOnlyPrintableDisallowedCharacters(string name, CorrelationIdProblem problem)
    {
        var propagator = Propagator(InvalidCorrelationIdPolicy.Trust, new TestSupport.CapturingLoggerProvider());

        var result = propagator.Extract(Cases[name].Value, static (v, n) => n == CorrelationHeaders.CorrelationId ? v : InboundHeaderValue.Missing);

        if (problem == CorrelationIdProblem.DisallowedCharacter)
        {
            result.Source.ShouldBe(CorrelationIdSource.Inbound);
            result.CorrelationId.ShouldBe(Cases[name].Value.Text ?? Encoding.UTF8.GetString(Cases[name].Value.Utf8.Span));
        }
        else
        {
            result.Source.ShouldBe(CorrelationIdSource.Replaced);
            result.Problem.ShouldBe(problem);
        }
    }

    [Theory]
    [InlineData("req-xyz-123")]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("01ARYZ6S41TSV4RRFFQ69G5FAV")]
    [InlineData("a:b.c_d-e")]
    public void Extract_ValidValues_AcceptedUnderEveryPolicy(string id)
    {
        foreach (var policy in Enum.GetValues<InvalidCorrelationIdPolicy>())
        {
            var propagator = Propagator(policy, new TestSupport.CapturingLoggerProvider());
            propagator.Extract(id, static (v, n) => n == CorrelationHeaders.CorrelationId ? InboundHeaderValue.FromText(v) : InboundHeaderValue.Missing)
                .CorrelationId.ShouldBe(id);
            propagator.Extract(Encoding.UTF8.GetBytes(id), static (v, n) => n == CorrelationHeaders.CorrelationId ? InboundHeaderValue.FromUtf8(v) : InboundHeaderValue.Missing)
                .CorrelationId.ShouldBe(id);
        }
    }

    [Fact]
    public void Extract_ExactlyMaxLength_Accepted()
    {
        var id = new string('a', 128);
        Propagator(InvalidCorrelationIdPolicy.Reject, new TestSupport.CapturingLoggerProvider())
            .Extract(id, static (v, n) => n == CorrelationHeaders.CorrelationId ? InboundHeaderValue.FromText(v) : InboundHeaderValue.Missing)
            .CorrelationId.ShouldBe(id);
    }

    private static InboundHeaderValue Text(string value) => InboundHeaderValue.FromText(value);

    private static InboundHeaderValue Bytes(byte[] value) => InboundHeaderValue.FromUtf8(value);

    private static CorrelationPropagator Propagator(InvalidCorrelationIdPolicy policy, TestSupport.CapturingLoggerProvider logs) =>
        new(new CorrelationOptions { InvalidIdPolicy = policy }, Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Trace)));
}
