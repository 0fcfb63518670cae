using System.Diagnostics;
using System.Text.RegularExpressions;
using Correlation.Messaging.Generation;
using Correlation.Messaging.Generation.Internal;
using Correlation.Messaging.Validation;

namespace Correlation.Messaging.Tests.Generation;

public sealed class CorrelationIdGeneratorTests
{
    public static TheoryData<CorrelationIdFormat, string> Formats => new()
    {
        { CorrelationIdFormat.UuidV4, "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$" },
        { CorrelationIdFormat.UuidV7, "^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$" },
        { CorrelationIdFormat.Ulid, "^[0-7][0-9A-HJKMNP-TV-Z]{25}$" },
        { CorrelationIdFormat.W3CTraceId, "^[0-9a-f]{32}$" },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void NewId_HundredThousandIds_MatchFormatAreUniqueAndPassDefaultValidation(CorrelationIdFormat format, string pattern)
    {
        var generator = CorrelationIdGenerators.For(format);
        var regex = new Regex(pattern, RegexOptions.CultureInvariant);
        var validator = new CorrelationIdValidator(128, "-_.:");
        var seen = new HashSet<string>(StringComparer.Ordinal);

        for (var i = 0; i < 100_000; i++)
        {
            var id = generator.NewId();
            if (i < 1_000)
            {
                regex.IsMatch(id).ShouldBeTrue(id);
                validator.Validate(id, trust: false).ShouldBe(CorrelationIdProblem.None);
            }

            seen.Add(id).ShouldBeTrue($"duplicate {id}");
        }
    }

    [Fact]
    public void UuidV7_IsTimeOrderedAcrossMilliseconds()
    {
        var first = CorrelationIdGenerators.UuidV7.NewId();
        Thread.Sleep(2);
        var second = CorrelationIdGenerators.UuidV7.NewId();
        string.CompareOrdinal(first, second).ShouldBeLessThan(0);
    }

    // Published vectors: github.com/ulid/javascript README and tests.
    [Theory]
    [InlineData(1469918176385L, "01ARYZ6S41")]
    [InlineData(1469918176385L + 1, "01ARYZ6S42")]
    [InlineData(0L, "0000000000")]
    [InlineData(281474976710655L, "7ZZZZZZZZZ")]
    public void Ulid_Format_EncodesTimeLikeTheReferenceImplementation(long time, string expectedTimePart)
    {
        var ulid = UlidGenerator.Format(time, new byte[10]);
        ulid.Length.ShouldBe(26);
        ulid[..10].ShouldBe(expectedTimePart);
        ulid[10..].ShouldBe(new string('0', 16));
        UlidGenerator.DecodeTime(ulid).ShouldBe(time);
    }

    [Fact]
    public void Ulid_DecodeTime_MatchesTheReferenceExample()
    {
        // github.com/ulid/javascript README: decodeTime("01ARYZ6S41TSV4RRFFQ69G5FAV") === 1469918176385.
        UlidGenerator.DecodeTime("01ARYZ6S41TSV4RRFFQ69G5FAV").ShouldBe(1469918176385L);
    }

    [Fact]
    public void Ulid_Format_MaxValueIsTheSpecMaximum()
    {
        var max = Enumerable.Repeat((byte)0xFF, 10).ToArray();
        UlidGenerator.Format(0xFFFF_FFFF_FFFFL, max).ShouldBe("7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
    }

    [Fact]
    public void Ulid_Format_RandomnessBitsLandInOrder()
    {
        var random = new byte[10];
        random[9] = 1; // lowest bit of the 128-bit value
        UlidGenerator.Format(0, random).ShouldBe("00000000000000000000000001");
        random[9] = 0;
        random[0] = 0x80; // highest randomness bit: bit 79 -> char index 10 holds bits 79..75
        UlidGenerator.Format(0, random).ShouldBe("0000000000G000000000000000");
    }

    [Fact]
    public void Ulid_SortsByCreationTime()
    {
        var time = new ManualTime(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        var generator = new UlidGenerator(time);
        var a = generator.NewId();
        time.Advance(TimeSpan.FromMilliseconds(1));
        var b = generator.NewId();
        string.CompareOrdinal(a, b).ShouldBeLessThan(0);
    }

    [Fact]
    public void W3CTraceId_WithCurrentActivity_ReturnsItsTraceId()
    {
        using var activity = new Activity("test").SetIdFormat(ActivityIdFormat.W3C).Start();
        CorrelationIdGenerators.W3CTraceId.NewId().ShouldBe(activity.TraceId.ToHexString());
    }

    [Fact]
    public void W3CTraceId_WithoutActivity_ReturnsRandomTraceIds()
    {
        Activity.Current = null;
        CorrelationIdGenerators.W3CTraceId.NewId().ShouldNotBe(CorrelationIdGenerators.W3CTraceId.NewId());
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
