using System.Globalization;

namespace Correlation.Messaging.Throughput;

/// <summary>Command-line options and statistics shared by every harness.</summary>
internal static class HarnessArgs
{
    /// <summary>Returns the integer after <paramref name="name"/>, or <paramref name="fallback"/>.</summary>
    public static int Option(string[] args, string name, int fallback) =>
        OptionText(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    /// <summary>Returns the text after <paramref name="name"/>, or <see langword="null"/>.</summary>
    public static string? OptionText(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int s_failedDeliveries;

    /// <summary>Gets the deliveries reported failed so far; the program exits with 1 when it is not zero.</summary>
    public static int FailedDeliveries => Volatile.Read(ref s_failedDeliveries);

    /// <summary>Records <paramref name="count"/> failed deliveries (a failed delivery makes the run's numbers meaningless).</summary>
    public static void CountFailed(int count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref s_failedDeliveries, count);
            Console.Error.WriteLine($"error: {count} deliveries failed");
        }
    }

    /// <summary>Returns the machine's load, <c>/proc/loadavg</c> (1, 5 and 15 minute averages, runnable/total tasks).</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unavailable (no /proc/loadavg)";

    /// <summary>
    /// Formats the one statistic a harness reports: the median with its spread (interquartile range, minimum and maximum,
    /// number of rounds), for example <c>0.987 (IQR 0.975–0.995, range 0.951–1.012, 8 rounds)</c>.
    /// </summary>
    public static string Spread(IReadOnlyCollection<double> values, string format = "F3")
    {
        var sorted = values.Order().ToArray();
        return string.Create(CultureInfo.InvariantCulture,
            $"{Median(sorted).ToString(format, CultureInfo.InvariantCulture)} (IQR {Quantile(sorted, 0.25).ToString(format, CultureInfo.InvariantCulture)}–{Quantile(sorted, 0.75).ToString(format, CultureInfo.InvariantCulture)}, " +
            $"range {sorted[0].ToString(format, CultureInfo.InvariantCulture)}–{sorted[^1].ToString(format, CultureInfo.InvariantCulture)}, {sorted.Length} rounds)");
    }

    /// <summary>Returns the <paramref name="q"/> quantile of sorted values, interpolating linearly.</summary>
    private static double Quantile(double[] sorted, double q)
    {
        var position = (sorted.Length - 1) * q;
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }

    /// <summary>Returns the median of <paramref name="values"/>.</summary>
    public static double Median(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
