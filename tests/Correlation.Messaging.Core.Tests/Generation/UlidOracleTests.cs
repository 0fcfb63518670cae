using System.Buffers.Binary;
using Correlation.Messaging.Generation.Internal;

namespace Correlation.Messaging.Tests.Generation;

/// <summary>
/// Core's hand-written ULID generator judged by an independent implementation, the Ulid package (Cysharp, 1.4.1), which
/// the tests reference and Core does not: the same 48-bit time and 80 random bits must give the same 26 characters, and
/// the package must read back the time and randomness the generator used.
/// </summary>
public sealed class UlidOracleTests
{
    private const long MaxUlidTime = 0xFFFF_FFFF_FFFFL;

    public static TheoryData<long, byte[]> EdgeCases => new()
    {
        { 0L, new byte[10] },
        { MaxUlidTime, Enumerable.Repeat((byte)0xFF, 10).ToArray() },
        { 1_469_918_176_385L, [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x01, 0x23] },
        { 1L, [0x80, 0, 0, 0, 0, 0, 0, 0, 0, 1] },
    };

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public void Format_EdgeTimeAndRandomness_SameTextAsUlidPackage(long time, byte[] randomness) =>
        UlidGenerator.Format(time, randomness).ShouldBe(Oracle(time, randomness));

    [Fact]
    public void Format_ManySeededValues_SameTextAsUlidPackage()
    {
        var random = new Random(20261130);
        var randomness = new byte[10];
        for (var i = 0; i < 10_000; i++)
        {
            var time = random.NextInt64(0, MaxUlidTime + 1);
            random.NextBytes(randomness);

            var ours = UlidGenerator.Format(time, randomness);

            ours.ShouldBe(Oracle(time, randomness), $"time {time}, randomness {Convert.ToHexString(randomness)}");
        }
    }

    [Fact]
    public void NewId_FixedClock_UlidPackageReadsBackThatTime()
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_764_500_000_123L);
        var generator = new UlidGenerator(new FixedClock(now));

        for (var i = 0; i < 100; i++)
        {
            var id = generator.NewId();

            var parsed = Ulid.Parse(id);
            parsed.Time.ShouldBe(now);
            parsed.ToString().ShouldBe(id);
            UlidGenerator.DecodeTime(id).ShouldBe(now.ToUnixTimeMilliseconds());
        }
    }

    /// <summary>The Ulid package's text for a 16-byte big-endian value: 6 bytes of time, then 10 bytes of randomness.</summary>
    private static string Oracle(long time, byte[] randomness)
    {
        Span<byte> bytes = stackalloc byte[16];
        Span<byte> time8 = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(time8, time);
        time8[2..].CopyTo(bytes);
        randomness.CopyTo(bytes[6..]);
        return new Ulid(bytes).ToString();
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
