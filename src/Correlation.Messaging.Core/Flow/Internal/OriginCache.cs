namespace Correlation.Messaging.Flow.Internal;

/// <summary>
/// Reuses the strings of the few origins a service sees (one per upstream service), so reading a flow header allocates
/// nothing for its origin in the common case. Thread-safe: slots are replaced whole; a lost race only costs a string.
/// </summary>
internal sealed class OriginCache
{
    private const int Slots = 8;
    private readonly string?[] _slots = new string?[Slots];
    private int _next;

    /// <summary>Returns a string equal to <paramref name="origin"/>, cached when possible.</summary>
    public string Get(ReadOnlySpan<char> origin)
    {
        var slots = _slots;
        for (var i = 0; i < slots.Length; i++)
        {
            var cached = slots[i];
            if (cached is not null && origin.SequenceEqual(cached))
            {
                return cached;
            }
        }

        var text = origin.ToString();
        slots[(int)((uint)Interlocked.Increment(ref _next) % Slots)] = text;
        return text;
    }
}
