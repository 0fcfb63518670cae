namespace Correlation.Messaging.Sqs.Propagation.Internal;

/// <summary>Merges the caller's <c>MessageAttributeNames</c> with ours, following SQS's rules for <c>All</c>, <c>.*</c> and <c>prefix.*</c>.</summary>
internal static class ReceiveNames
{
    /// <summary>
    /// Returns a new list with the caller's names, then each of <paramref name="ours"/> that the caller's names do not
    /// already cover, or <see langword="null"/> when they cover all of ours (<c>All</c>, <c>.*</c>, or each name by
    /// itself or by a <c>prefix.*</c>). The caller's list is never modified.
    /// </summary>
    public static List<string>? Merge(List<string>? requested, IReadOnlyList<string> ours)
    {
        List<string>? merged = null;
        foreach (var name in ours)
        {
            if (requested is not null && Covers(requested, name))
            {
                continue;
            }

            merged ??= requested is null ? new List<string>(ours.Count) : new List<string>(requested);
            merged.Add(name);
        }

        return merged;
    }

    /// <summary>Returns whether one of <paramref name="requested"/> asks for the attribute <paramref name="name"/>.</summary>
    public static bool Covers(List<string> requested, string name)
    {
        foreach (var asked in requested)
        {
            if (asked is null)
            {
                continue;
            }

            if (asked is "All" or ".*" || string.Equals(asked, name, StringComparison.Ordinal))
            {
                return true;
            }

            // "bar.*" asks for every attribute whose name starts with "bar.".
            if (asked.Length > 2 && asked.EndsWith(".*", StringComparison.Ordinal)
                && name.StartsWith(asked.AsSpan(0, asked.Length - 1), StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
