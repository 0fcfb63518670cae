namespace Correlation.Messaging.Timeline.Rendering;

/// <summary>
/// Maps milliseconds since the flow's start to x positions, linearly except for long quiet gaps (no log line from any
/// service, such as a redelivery delay), which are collapsed to a fixed width so that the busy parts stay readable.
/// </summary>
internal sealed class TimeScale
{
    /// <summary>The width of a collapsed gap.</summary>
    public const double GapWidth = 56;

    /// <summary>The shortest gap that is collapsed, as a share of the flow's duration.</summary>
    public const double GapShare = 0.15;

    /// <summary>The shortest gap that is collapsed, in milliseconds.</summary>
    public const double MinGapMs = 100;

    private readonly double _left;
    private readonly double _scale;

    public TimeScale(IEnumerable<double> lineOffsetsMs, double totalMs, double left, double right)
    {
        TotalMs = Math.Max(totalMs, 1);
        _left = left;
        var offsets = lineOffsetsMs.Order().ToList();
        var threshold = Math.Max(TotalMs * GapShare, MinGapMs);
        var gaps = new List<(double Start, double End)>();
        for (var i = 1; i < offsets.Count; i++)
        {
            if (offsets[i] - offsets[i - 1] >= threshold)
            {
                gaps.Add((offsets[i - 1], offsets[i]));
            }
        }

        Gaps = gaps;
        ActiveMs = Math.Max(TotalMs - gaps.Sum(g => g.End - g.Start), 1);
        _scale = Math.Max(right - left - (gaps.Count * GapWidth), 1) / ActiveMs;
    }

    public double TotalMs { get; }

    /// <summary>Gets the milliseconds outside collapsed gaps.</summary>
    public double ActiveMs { get; }

    public IReadOnlyList<(double Start, double End)> Gaps { get; }

    public double X(double ms)
    {
        var x = _left;
        var cursor = 0.0;
        foreach (var (start, end) in Gaps)
        {
            if (ms <= start)
            {
                return x + ((ms - cursor) * _scale);
            }

            x += (start - cursor) * _scale;
            if (ms < end)
            {
                return x + ((ms - start) / (end - start) * GapWidth);
            }

            x += GapWidth;
            cursor = end;
        }

        return x + ((ms - cursor) * _scale);
    }

    /// <summary>Gets the axis ticks: round values in each busy stretch, plus the first instant after each gap.</summary>
    public IEnumerable<double> Ticks()
    {
        var step = Step;
        var segments = new List<(double Start, double End)>();
        var cursor = 0.0;
        foreach (var (start, end) in Gaps)
        {
            segments.Add((cursor, start));
            cursor = end;
        }

        segments.Add((cursor, TotalMs));
        var ticks = new List<double>();
        foreach (var (start, end) in segments)
        {
            if (start > 0)
            {
                ticks.Add(start);
            }

            for (var t = Math.Ceiling(start / step) * step; t <= end + 0.001; t += step)
            {
                // Keep round ticks clear of the label at a gap's end.
                if (start > 0 && X(t) - X(start) < 60)
                {
                    continue;
                }

                ticks.Add(t);
            }
        }

        return ticks;
    }

    /// <summary>Gets the distance between round ticks.</summary>
    public double Step => NiceStep(ActiveMs / 8);

    internal static double NiceStep(double raw)
    {
        if (raw <= 0)
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var normalized = raw / magnitude;
        var nice = normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10;
        return Math.Max(nice * magnitude, 0.001);
    }
}
