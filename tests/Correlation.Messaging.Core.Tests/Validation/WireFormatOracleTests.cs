using System.Text;
using Correlation.Messaging.Contracts.Oracle;
using Correlation.Messaging.Propagation;
using CsCheck;

namespace Correlation.Messaging.Tests.Validation;

/// <summary>
/// Generated values (CsCheck, shrinking; a failure prints the seed, replay with <c>CsCheck_Seed</c>) through extraction, as
/// text and as bytes, under every policy, each judged by <see cref="WireFormatOracle"/>: an independent reading of
/// docs/wire-format.md, not the library's validator. Also the oracle's own rows from the document, and twins showing
/// that a Reject that does nothing or a Regenerate that sanitises fails the check.
/// </summary>
public sealed class WireFormatOracleTests
{
    private static readonly WireKind[] TextKinds =
    [
        WireKind.Valid, WireKind.OutsideAllowedSet, WireKind.EmptyOrWhitespace, WireKind.TooLong, WireKind.Control, WireKind.Format,
        WireKind.LineOrParagraphSeparator, WireKind.LoneSurrogate,
    ];

    private static void WriteLine(string line) => TestContext.Current.SendDiagnosticMessage(line);

    [Fact]
    public void Extract_GeneratedTextValues_MatchTheWireFormatDocument() =>
        OracleProperties.ExtractionMatchesOracle(
            WireValueGen.Text().Where(v => v.Kind != WireKind.FormatOutsideBmp),
            static v => v.Text!,
            static (text, name) => name == CorrelationHeaders.CorrelationId ? InboundHeaderValue.FromText(text) : InboundHeaderValue.Missing,
            WriteLine,
            requiredKinds: TextKinds);

    [Fact]
    public void Extract_GeneratedByteValues_MatchTheWireFormatDocument() =>
        OracleProperties.ExtractionMatchesOracle(
            WireValueGen.For(WireCapabilities.Kafka).Where(v => v.Kind != WireKind.FormatOutsideBmp),
            static v => v,
            static (v, name) => name != CorrelationHeaders.CorrelationId ? InboundHeaderValue.Missing
                : v.IsNull ? InboundHeaderValue.Null
                : InboundHeaderValue.FromUtf8(v.Bytes),
            WriteLine,
            requiredKinds: [.. TextKinds, WireKind.InvalidUtf8, WireKind.RandomBytes]);

    /// <summary>
    /// Issue 13, defect 2 (fixed): format characters outside the Basic Multilingual Plane (tag characters U+E0000–E007F,
    /// musical-symbol formatting U+1D173–1D17A) passed the library's safety check through their surrogate pairs, so
    /// <c>Trust</c> kept them. The document forbids every format character; Core's validator now checks whole code points.
    /// </summary>
    [Fact]
    public void Extract_FormatCharactersOutsideBmp_MatchTheWireFormatDocument() =>
        OracleProperties.ExtractionMatchesOracle(
            WireValueGen.Text().Where(v => v.Kind == WireKind.FormatOutsideBmp),
            static v => v.Text!,
            static (text, name) => name == CorrelationHeaders.CorrelationId ? InboundHeaderValue.FromText(text) : InboundHeaderValue.Missing,
            WriteLine,
            iterations: 500,
            requiredKinds: WireKind.FormatOutsideBmp);

    public static TheoryData<string, InvalidCorrelationIdPolicy, ExpectedOutcome> DocumentRows() => new()
    {
        // valid
        { "order-7d2f0c", InvalidCorrelationIdPolicy.Regenerate, ExpectedOutcome.Kept },
        { "a", InvalidCorrelationIdPolicy.Reject, ExpectedOutcome.Kept },
        { new string('x', 128), InvalidCorrelationIdPolicy.Trust, ExpectedOutcome.Kept },
        { "A.b_c:d-0", InvalidCorrelationIdPolicy.Reject, ExpectedOutcome.Kept },

        // printable but outside the allowed set (space, /, é, emoji…)
        { "has space", InvalidCorrelationIdPolicy.Regenerate, ExpectedOutcome.Replaced },
        { "a/b", InvalidCorrelationIdPolicy.Reject, ExpectedOutcome.Rejected },
        { "café-1", InvalidCorrelationIdPolicy.Trust, ExpectedOutcome.Kept },
        { "id-\U0001F600", InvalidCorrelationIdPolicy.Trust, ExpectedOutcome.Kept },

        // empty, whitespace, longer than MaxLength
        { "", InvalidCorrelationIdPolicy.Trust, ExpectedOutcome.Replaced },
        { "   ", InvalidCorrelationIdPolicy.Trust, ExpectedOutcome.Replaced },
        { "   ", InvalidCorrelationIdPolicy.Reject, ExpectedOutcome.Rejected },
        { new string('x', 129), InvalidCorrelationIdPolicy.Trust, ExpectedOutcome.Replaced },
        { new string('x', 129), InvalidCorrelationIdPolicy.Regenerate, ExpectedOutcome.Replaced },

        // CR, LF, control, format (bidi, zero-width), separators, lone surrogates, U+FFFE/U+FFFF
        { "a\r\nb", InvalidCorrelationIdPolicy.Trust, ExpectedOutcome.Replaced },
        { "a\u0085b", InvalidCorrelationIdPolicy.Trust, ExpectedOutcome.Replaced },
        { "a\u202Eb", InvalidCorrelationIdPolicy.Trust, ExpectedOutcome.Replaced },
        { "a\u200Bb", InvalidCorrelationIdPolicy.Reject, ExpectedOutcome.Rejected },
        { "a\u2028b", InvalidCorrelationIdPolicy.Trust, ExpectedOutcome.Replaced },
        { "a\uFFFEb", InvalidCorrelationIdPolicy.Trust, ExpectedOutcome.Replaced },
        { "a\U000E0041b", InvalidCorrelationIdPolicy.Trust, ExpectedOutcome.Replaced },
        { "a\U0001D173b", InvalidCorrelationIdPolicy.Trust, ExpectedOutcome.Replaced },
    };

    [Theory]
    [MemberData(nameof(DocumentRows))]
    public void Judge_RowsOfTheDocument_GiveTheDocumentsOutcome(string text, InvalidCorrelationIdPolicy policy, ExpectedOutcome expected)
    {
        var verdict = WireFormatOracle.Default.Judge(WireValue.OfText(WireKind.Valid, text), policy);

        verdict.Outcome.ShouldBe(expected, verdict.Reason);
        if (expected == ExpectedOutcome.Kept)
        {
            verdict.KeptId.ShouldBe(text);
        }
    }

    [Fact]
    public void Judge_BytesNullAndWrongTypes_FollowTheDocument()
    {
        var oracle = WireFormatOracle.Default;
        oracle.Judge(WireValue.OfBytes(WireKind.Valid, "ok-1"u8.ToArray()), InvalidCorrelationIdPolicy.Reject).Outcome.ShouldBe(ExpectedOutcome.Kept);
        oracle.Judge(WireValue.OfBytes(WireKind.InvalidUtf8, [0x61, 0xC3, 0x28]), InvalidCorrelationIdPolicy.Trust).Outcome.ShouldBe(ExpectedOutcome.Replaced);
        oracle.Judge(WireValue.OfBytes(WireKind.InvalidUtf8, [0x61, 0xC3, 0x28]), InvalidCorrelationIdPolicy.Reject).Outcome.ShouldBe(ExpectedOutcome.Rejected);
        oracle.Judge(WireValue.OfBytes(WireKind.OutsideAllowedSet, Encoding.UTF8.GetBytes("café")), InvalidCorrelationIdPolicy.Trust).KeptId.ShouldBe("café");
        oracle.Judge(WireValue.OfText(WireKind.LoneSurrogate, "a\uD800").AsBytesOnTheWire(), InvalidCorrelationIdPolicy.Trust).Outcome
            .ShouldBe(ExpectedOutcome.Replaced, "a lone surrogate's 3-byte encoding is not strict UTF-8");
        oracle.Judge(WireValue.OfText(WireKind.LoneSurrogate, "a\uD800b"), InvalidCorrelationIdPolicy.Trust).Outcome.ShouldBe(ExpectedOutcome.Replaced);
        oracle.Judge(WireValue.OfText(WireKind.LoneSurrogate, "a\uDC00"), InvalidCorrelationIdPolicy.Trust).Outcome.ShouldBe(ExpectedOutcome.Replaced);
        oracle.Judge(WireValue.OfNull(), InvalidCorrelationIdPolicy.Trust).Outcome.ShouldBe(ExpectedOutcome.Replaced);
        oracle.Judge(WireValue.OfWrongType(42), InvalidCorrelationIdPolicy.Trust).Outcome.ShouldBe(ExpectedOutcome.Replaced);
        oracle.Judge(WireValue.OfWrongType(42), InvalidCorrelationIdPolicy.Reject).Outcome.ShouldBe(ExpectedOutcome.Rejected);
        new WireFormatOracle(maxLength: 4, allowedSymbols: "/").Judge(WireValue.OfText(WireKind.Valid, "a/b"), InvalidCorrelationIdPolicy.Reject).Outcome.ShouldBe(ExpectedOutcome.Kept);
    }

    /// <summary>Failing twin: a <c>Reject</c> that does nothing (the handler runs with the value) is caught.</summary>
    [Fact]
    public void Check_RejectThatDoesNothing_ReportsMismatch()
    {
        var check = new OracleCheck(InvalidCorrelationIdPolicy.Reject, "twin");
        check.Observe(WireValue.OfText(WireKind.OutsideAllowedSet, "bad value"), "bad value", CorrelationIdSource.Inbound, onFailurePath: false);

        Should.Throw<OracleMismatchException>(check.ThrowIfAnyMismatch).Message.ShouldContain("the handler ran");
    }

    /// <summary>Failing twin: a <c>Regenerate</c> that sanitises and keeps the value is caught, and so is a reused "new" ID.</summary>
    [Fact]
    public void Check_RegenerateThatSanitisesOrRepeats_ReportsMismatch()
    {
        var sanitising = new OracleCheck(InvalidCorrelationIdPolicy.Regenerate, "twin");
        sanitising.Observe(WireValue.OfText(WireKind.Control, "abc\r\ndef"), "abcdef", CorrelationIdSource.Replaced, onFailurePath: false);
        Should.Throw<OracleMismatchException>(sanitising.ThrowIfAnyMismatch).Message.ShouldContain("sanitised");

        var repeating = new OracleCheck(InvalidCorrelationIdPolicy.Regenerate, "twin");
        repeating.Observe(WireValue.OfText(WireKind.Control, "x\n"), "same-new-id", CorrelationIdSource.Replaced, onFailurePath: false);
        repeating.Observe(WireValue.OfText(WireKind.Control, "y\n"), "same-new-id", CorrelationIdSource.Replaced, onFailurePath: false);
        Should.Throw<OracleMismatchException>(repeating.ThrowIfAnyMismatch).Message.ShouldContain("twice");

        var wrongSource = new OracleCheck(InvalidCorrelationIdPolicy.Regenerate, "twin");
        wrongSource.Observe(WireValue.OfText(WireKind.Valid, "fine-1"), "fine-1", CorrelationIdSource.Generated, onFailurePath: false);
        Should.Throw<OracleMismatchException>(wrongSource.ThrowIfAnyMismatch).Message.ShouldContain("source Generated");
    }

    /// <summary>Failing twin: a run where a broker refused most values, or nothing was rejected, fails its minimums.</summary>
    [Fact]
    public void RequireMinimumPerKind_ThinnedOrOneSidedRun_Throws()
    {
        var check = new OracleCheck(InvalidCorrelationIdPolicy.Reject, "twin");
        check.Observe(WireValue.OfText(WireKind.Valid, "ok"), "ok", CorrelationIdSource.Inbound, onFailurePath: false);

        Should.Throw<OracleMismatchException>(() => check.RequireMinimumPerKind(1, WireKind.Valid, WireKind.Control)).Message.ShouldContain("Control");
        Should.Throw<OracleMismatchException>(() => check.RequireMinimumPerKind(1, WireKind.Valid)).Message.ShouldContain("no value was Rejected");
    }

    [Fact]
    public void Batch_SameSeed_SameValuesEveryKind()
    {
        var gen = WireValueGen.Stratified(WireCapabilities.Kafka, perKind: 5);
        var (first, seed) = WireValueGen.Batch(gen);
        var again = gen.Generate(PCG.Parse(seed), null, out _);

        again.Select(v => v.ToString()).ShouldBe(first.Select(v => v.ToString()));
        first.GroupBy(v => v.Kind).ShouldAllBe(g => g.Count() == 5 || g.Key == WireKind.Null);
        first.Select(v => v.Kind).Distinct().Count().ShouldBe(13, "every kind but WrongType, which Kafka cannot carry");
    }
}
