namespace Correlation.Messaging.Timeline.Flows;

/// <summary>
/// An open-addressing hash table from non-zero 64-bit keys (hashes) to 64-bit values, 16 bytes per slot at most 75 %
/// full: the per-message state of the flow list, where a <see cref="Dictionary{TKey, TValue}"/> costs twice as much.
/// </summary>
internal sealed class CompactTable
{
    private ulong[] _keys = new ulong[8];
    private long[] _values = new long[8];
    private int _count;

    public int Count => _count;

    /// <summary>Gets the value slot of <paramref name="key"/>, adding it (with value 0) when absent.</summary>
    public ref long GetOrAdd(ulong key, out bool existed)
    {
        key = key == 0 ? 1 : key; // 0 marks an empty slot
        if ((_count + 1) * 4 > _keys.Length * 3)
        {
            Grow();
        }

        var mask = _keys.Length - 1;
        var i = (int)(Mix(key) & (ulong)mask);
        while (true)
        {
            var k = _keys[i];
            if (k == key)
            {
                existed = true;
                return ref _values[i];
            }

            if (k == 0)
            {
                _keys[i] = key;
                _count++;
                existed = false;
                return ref _values[i];
            }

            i = (i + 1) & mask;
        }
    }

    /// <summary>Gets the values of every key.</summary>
    public IEnumerable<long> Values()
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            if (_keys[i] != 0)
            {
                yield return _values[i];
            }
        }
    }

    private void Grow()
    {
        var keys = _keys;
        var values = _values;
        _keys = new ulong[keys.Length * 2];
        _values = new long[keys.Length * 2];
        _count = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i] != 0)
            {
                GetOrAdd(keys[i], out _) = values[i];
            }
        }
    }

    private static ulong Mix(ulong key) => (key ^ (key >> 31)) * 0x9E3779B97F4A7C15UL;
}
