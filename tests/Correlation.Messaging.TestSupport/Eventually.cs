namespace Correlation.Messaging.TestSupport;

/// <summary>Polls a condition until it holds or a deadline passes. For broker round trips, never for timing assertions.</summary>
public static class Eventually
{
    public static async Task<bool> TrueAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(50, cancellationToken);
        }

        return condition();
    }
}
