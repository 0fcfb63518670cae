namespace Fulfilment.Worker;

/// <summary>
/// A Hangfire job enqueued by <see cref="ShipmentProcessor"/>: it runs later, on a Hangfire worker thread, yet its log
/// lines carry the order's correlation ID (restored by <c>Correlation.Messaging.Hangfire</c>).
/// </summary>
public sealed partial class ShippingEmailJob(ILogger<ShippingEmailJob> logger)
{
    /// <summary>Sends the shipping e-mail of one order line (the demo only logs it).</summary>
    /// <param name="orderId">The order.</param>
    /// <param name="lineId">The shipped order line.</param>
    /// <param name="cancellationToken">Hangfire's shutdown token.</param>
    /// <returns>A task that completes when the e-mail is sent.</returns>
    public async Task SendAsync(string orderId, string lineId, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken); // the mail server
        EmailSent(logger, lineId, orderId);
    }

    [LoggerMessage(EventId = 42, Level = LogLevel.Information, Message = "Shipping e-mail sent for order line {LineId} (order {OrderId})")]
    private static partial void EmailSent(ILogger logger, string lineId, string orderId);
}
