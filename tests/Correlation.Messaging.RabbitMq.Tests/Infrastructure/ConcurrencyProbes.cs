using MassTransit;

namespace Correlation.Messaging.RabbitMq.Tests.Infrastructure;

/// <summary>What the concurrency tests measure and check: the peak number of handlers, and contexts leaked between deliveries.</summary>
public static class ConcurrencyProbes
{
    /// <summary>Raises <paramref name="target"/> to <paramref name="value"/> when it is higher, atomically.</summary>
    public static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    /// <summary>Counts deliveries that start with a correlation context already ambient: a leak from an earlier message.</summary>
    public sealed class AmbientAtReceiveObserver(Action leaked) : IReceiveObserver
    {
        public Task PreReceive(ReceiveContext context)
        {
            if (CorrelationContext.Current is not null)
            {
                leaked();
            }

            return Task.CompletedTask;
        }

        public Task PostReceive(ReceiveContext context) => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType)
            where T : class => Task.CompletedTask;

        public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception)
            where T : class => Task.CompletedTask;

        public Task ReceiveFault(ReceiveContext context, Exception exception) => Task.CompletedTask;
    }
}
