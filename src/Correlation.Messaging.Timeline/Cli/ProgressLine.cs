using System.Diagnostics;
using System.Globalization;

namespace Correlation.Messaging.Timeline.Cli;

/// <summary>
/// A one-line progress bar on stderr for long scans, redrawn at most five times a second, erased at the end. Only
/// used on a terminal: nothing is written when stderr is piped or redirected.
/// </summary>
internal sealed class ProgressLine(TextWriter error, long totalBytes)
{
    private const int BarWidth = 24;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _baseBytes;
    private long _lastDraw = -1000;
    private bool _drawn;

    /// <summary>Gets or sets the label of the current pass.</summary>
    public string Label { get; set; } = "reading";

    /// <summary>Starts a new input: the bytes the reader reports next count from here.</summary>
    public void StartInput(long bytesBefore) => _baseBytes = bytesBefore;

    public void Report(long bytesOfThisReader)
    {
        var now = _clock.ElapsedMilliseconds;
        if (now - _lastDraw < 200 || now < 500)
        {
            return;
        }

        _lastDraw = now;
        var done = bytesOfThisReader - _baseBytes;
        var fraction = totalBytes > 0 ? Math.Clamp((double)done / totalBytes, 0, 1) : 0;
        var filled = (int)(fraction * BarWidth);
        var rate = done / Math.Max(0.001, now / 1000.0) / 1e6;
        error.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r{Label} [{new string('#', filled)}{new string('.', BarWidth - filled)}] {fraction * 100,3:0}% {done / 1e6:0} of {totalBytes / 1e6:0} MB, {rate:0} MB/s "));
        _drawn = true;
    }

    public void Restart(string label)
    {
        Label = label;
        _clock.Restart();
        _lastDraw = -1000;
    }

    public void Clear()
    {
        if (_drawn)
        {
            error.Write("\r" + new string(' ', 90) + "\r");
            _drawn = false;
        }
    }
}
