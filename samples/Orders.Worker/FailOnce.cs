using System.Collections.Concurrent;

namespace Orders.Worker;

/// <summary>Order IDs whose first handling fails once (comma-separated DEMO_FAIL_ONCE_ORDERS).</summary>
internal sealed class FailOnce(string? orderIds)
{
    private readonly ConcurrentDictionary<string, bool> _pending = new(
        (orderIds ?? string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(id => KeyValuePair.Create(id, true)),
        StringComparer.Ordinal);

    /// <summary>Gets whether this attempt should fail: true once per listed order.</summary>
    public bool ShouldFail(string orderId) => _pending.TryRemove(orderId, out _);
}
