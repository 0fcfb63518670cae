using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Correlation.Messaging.Generation.Internal;

/// <summary>
/// ULID text generator (https://github.com/ulid/spec): 48-bit Unix time in milliseconds followed by 80 random bits,
/// written as 26 characters of Crockford base32. Hand-written to keep Core free of a dependency for 60 lines; Core's
/// tests check it against the Ulid package as an independent oracle.
/// </summary>
internal sealed class UlidGenerator : ICorrelationIdGenerator
{
    internal const int Length = 26;
    internal const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    private readonly TimeProvider _time;

    public UlidGenerator()
        : this(TimeProvider.System)
    {
    }

    internal UlidGenerator(TimeProvider time) => _time = time;

    public string NewId()
    {
        Span<byte> random = stackalloc byte[10];
        RandomNumberGenerator.Fill(random);
        return Format(_time.GetUtcNow().ToUnixTimeMilliseconds(), random);
    }

    /// <summary>Formats a ULID from its timestamp and its 10 bytes of randomness (big-endian).</summary>
    internal static string Format(long unixTimeMilliseconds, ReadOnlySpan<byte> randomness)
    {
        if ((ulong)unixTimeMilliseconds > 0xFFFF_FFFF_FFFFUL)
        {
            throw new ArgumentOutOfRangeException(nameof(unixTimeMilliseconds), "ULID time must fit in 48 bits.");
        }

        if (randomness.Length != 10)
        {
            throw new ArgumentException("ULID randomness is exactly 10 bytes.", nameof(randomness));
        }

        // 128-bit big-endian value: 6 bytes of time, then 10 bytes of randomness.
        var high = ((ulong)unixTimeMilliseconds << 16) | BinaryPrimitives.ReadUInt16BigEndian(randomness);
        var low = BinaryPrimitives.ReadUInt64BigEndian(randomness[2..]);
        var value = new UInt128(high, low);

        return string.Create(Length, value, static (chars, v) =>
        {
            for (var i = Length - 1; i >= 0; i--)
            {
                chars[i] = Alphabet[(int)(ulong)(v & 31)];
                v >>= 5;
            }
        });
    }

    /// <summary>Reads the timestamp of a ULID, for tests and tooling.</summary>
    internal static long DecodeTime(ReadOnlySpan<char> ulid)
    {
        long time = 0;
        for (var i = 0; i < 10; i++)
        {
            var index = Alphabet.IndexOf(char.ToUpperInvariant(ulid[i]));
            if (index < 0)
            {
                throw new FormatException("Not a Crockford base32 character.");
            }

            time = (time << 5) | (uint)index;
        }

        return time;
    }
}
