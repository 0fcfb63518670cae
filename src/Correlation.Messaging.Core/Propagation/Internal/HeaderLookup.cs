namespace Correlation.Messaging.Propagation.Internal;

/// <summary>
/// The one header-name rule of every adapter (see "Header names" in <c>docs/wire-format.md</c>): names match
/// case-insensitively; the exact spelling wins over case variants; among occurrences of equal rank the last one wins;
/// more than one occurrence is a duplicate. Writers remove every spelling of a name before writing it canonically.
/// </summary>
internal static class HeaderLookup
{
    /// <summary>Returns whether <paramref name="key"/> is a spelling of <paramref name="name"/>.</summary>
    public static bool IsSpellingOf(string key, string name) => string.Equals(key, name, StringComparison.OrdinalIgnoreCase);

    /// <summary>Finds <paramref name="name"/> in a dictionary-like carrier by the rule, without allocating.</summary>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="pairs">The carrier's entries, in the carrier's order.</param>
    /// <param name="name">The name to find.</param>
    /// <returns>The match.</returns>
    public static Match<TValue> Find<TValue>(IEnumerable<KeyValuePair<string, TValue>>? pairs, string name)
    {
        var match = new Match<TValue>(name);
        switch (pairs)
        {
            case null:
                break;
            case Dictionary<string, TValue> dictionary:
                // The concrete type's enumerator is a struct: no allocation per lookup.
                foreach (var pair in dictionary)
                {
                    match.Consider(pair.Key, pair.Value);
                }

                break;
            case IReadOnlyCollection<KeyValuePair<string, TValue>> { Count: 0 }:
                break;
            default:
                foreach (var pair in pairs)
                {
                    match.Consider(pair.Key, pair.Value);
                }

                break;
        }

        return match;
    }

    /// <summary>Removes every spelling of <paramref name="name"/> from a dictionary, whatever its comparer.</summary>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="dictionary">The dictionary.</param>
    /// <param name="name">The name.</param>
    public static void RemoveAllSpellings<TValue>(IDictionary<string, TValue>? dictionary, string name)
    {
        if (dictionary is null || dictionary.Count == 0)
        {
            return;
        }

        dictionary.Remove(name);
        List<string>? variants = null;
        foreach (var key in dictionary.Keys)
        {
            if (IsSpellingOf(key, name))
            {
                (variants ??= []).Add(key);
            }
        }

        if (variants is not null)
        {
            foreach (var key in variants)
            {
                dictionary.Remove(key);
            }
        }
    }

    /// <summary>Accumulates the occurrences of one name; feed it the carrier's entries in order.</summary>
    /// <typeparam name="TValue">The value type.</typeparam>
    internal struct Match<TValue>(string name)
    {
        private TValue? _exact;
        private TValue? _variant;
        private bool _hasExact;
        private int _count;

        /// <summary>Gets a value indicating whether the name occurs at all.</summary>
        public readonly bool Found => _count > 0;

        /// <summary>Gets a value indicating whether the name occurs more than once, in any spelling.</summary>
        public readonly bool HadDuplicates => _count > 1;

        /// <summary>Gets the winning value: the last exact spelling, else the last case variant.</summary>
        public readonly TValue Value => _hasExact ? _exact! : _variant!;

        /// <summary>Considers one entry of the carrier.</summary>
        /// <param name="key">The entry's name.</param>
        /// <param name="value">The entry's value.</param>
        /// <returns><see langword="true"/> when the entry is a spelling of the name.</returns>
        public bool Consider(string key, TValue value)
        {
            if (key.Length != name.Length)
            {
                return false;
            }

            if (string.Equals(key, name, StringComparison.Ordinal))
            {
                _exact = value;
                _hasExact = true;
            }
            else if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                _variant = value;
            }
            else
            {
                return false;
            }

            _count++;
            return true;
        }
    }
}
