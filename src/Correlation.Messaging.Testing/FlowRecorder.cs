using System.Diagnostics;
using Correlation.Messaging.Diagnostics;
using Correlation.Messaging.Testing.Internal;

namespace Correlation.Messaging.Testing;

/// <summary>
/// Records every hop of the flows in this process while it is alive: each message sent, published or consumed (MassTransit,
/// Kafka, RabbitMQ, SQS) and each HTTP request received or made through Correlation.Messaging, with its correlation,
/// causation and message IDs, broker, destination, outcome and timestamps; then asserts on them.
/// </summary>
/// <remarks>
/// <para>It subscribes to the adapters' own diagnostics (the <c>Correlation.Messaging.Flow</c> <see cref="DiagnosticListener"/>):
/// nothing in the production path knows about it, and without a recorder attached those diagnostics cost one field read per
/// hop. Dispose the recorder to stop recording.</para>
/// <para>A recorder sees every flow of the process. Tests that record flows should not run in parallel with other tests
/// that send messages in the same process (put them in one xunit collection), or should pass a filter to <see cref="Start(Func{RecordedHop, bool})"/>.</para>
/// <para>Instances are thread-safe.</para>
/// </remarks>
public sealed partial class FlowRecorder : IDisposable
{
    private static readonly AsyncLocal<ActiveHop?> Active = new();

    private readonly Lock _gate = new();
    private readonly List<RecordedHop> _hops = [];
    private readonly Dictionary<FlowHop, RecordedHop> _byHop = new(ReferenceEqualityComparer.Instance);
    private readonly Func<RecordedHop, bool>? _filter;
    private readonly List<IDisposable> _subscriptions = [];
    private readonly IDisposable _allListeners;
    private long _sequence;
    private long _lastChange = Stopwatch.GetTimestamp();
    private TaskCompletionSource _changed = NewSignal();
    private DateTimeOffset? _quietAt;
    private bool _disposed;

    private FlowRecorder(Func<RecordedHop, bool>? filter)
    {
        _filter = filter;
        _ = FlowDiagnostics.IsEnabled; // Creates the listener, so that the subscription below sees it.
        _allListeners = DiagnosticListener.AllListeners.Subscribe(new ListenerObserver(this));
    }

    /// <summary>Gets the hops recorded so far, in the order they started.</summary>
    public IReadOnlyList<RecordedHop> Hops
    {
        get
        {
            lock (_gate)
            {
                return [.. _hops];
            }
        }
    }

    /// <summary>Gets the shape of the causation tree recorded so far (see <see cref="FlowShape"/>).</summary>
    public FlowShape Shape => FlowTree.Build(Hops).ToShape();

    /// <summary>Starts recording every hop in the process.</summary>
    /// <returns>The recorder; dispose it to stop.</returns>
    public static FlowRecorder Start() => new(null);

    /// <summary>Starts recording the hops that <paramref name="filter"/> accepts.</summary>
    /// <param name="filter">Decides, once per hop when it starts, whether the recorder keeps it (for example by destination).</param>
    /// <returns>The recorder; dispose it to stop.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="filter"/> is <see langword="null"/>.</exception>
    public static FlowRecorder Start(Func<RecordedHop, bool> filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return new FlowRecorder(filter);
    }

    /// <summary>Returns the recorded causation tree as text: one line per message, with its IDs, broker and outcome.</summary>
    /// <returns>The tree, as shown in assertion failures.</returns>
    public string Describe() => FlowTree.Build(Hops).Render();

    /// <inheritdoc />
    public override string ToString() => Describe();

    /// <summary>Stops recording. The recorded hops stay readable.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _allListeners.Dispose();
        lock (_subscriptions)
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Dispose();
            }

            _subscriptions.Clear();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static RecordedHopKind KindOf(FlowHopKind kind) => kind switch
    {
        FlowHopKind.Send => RecordedHopKind.Send,
        FlowHopKind.Publish => RecordedHopKind.Publish,
        FlowHopKind.Consume => RecordedHopKind.Consume,
        FlowHopKind.HttpIn => RecordedHopKind.HttpIn,
        _ => RecordedHopKind.HttpOut,
    };

    private void OnEvent(string name, FlowHop hop)
    {
        TaskCompletionSource signal;
        if (name is FlowDiagnostics.HopSent or FlowDiagnostics.HopStarted)
        {
            var recorded = new RecordedHop(
                Interlocked.Increment(ref _sequence),
                KindOf(hop.Kind),
                hop.Broker,
                hop.Destination,
                hop.Name,
                hop.MessageId,
                hop.CorrelationId,
                hop.CausationId,
                hop.Generated,
                hop.Started);
            if (_filter is not null && !_filter(recorded))
            {
                return;
            }

            lock (_gate)
            {
                _hops.Add(recorded);
                _byHop[hop] = recorded;
                signal = Changed();
            }

            if (name is FlowDiagnostics.HopStarted)
            {
                Active.Value = new ActiveHop(hop, Active.Value);
            }
        }
        else if (name is FlowDiagnostics.HopStopped)
        {
            if (Active.Value is { } active && active.Hop == hop)
            {
                Active.Value = active.Outer;
            }

            lock (_gate)
            {
                if (!_byHop.TryGetValue(hop, out var recorded))
                {
                    return;
                }

                recorded.Stop(hop.Stopped ?? DateTimeOffset.UtcNow, hop.Fault, hop.Outcome);
                signal = Changed();
            }
        }
        else
        {
            return;
        }

        signal.TrySetResult();
    }

    /// <summary>Notes a change (under the lock) and returns the signal to release outside it.</summary>
    private TaskCompletionSource Changed()
    {
        _lastChange = Stopwatch.GetTimestamp();
        var signal = _changed;
        _changed = NewSignal();
        return signal;
    }

    private RecordedHop? Recorded(FlowHop hop)
    {
        lock (_gate)
        {
            return _byHop.GetValueOrDefault(hop);
        }
    }

    /// <summary>The hop whose handling the current asynchronous flow is in (set by the recorder on start).</summary>
    private sealed record ActiveHop(FlowHop Hop, ActiveHop? Outer);

    private sealed class ListenerObserver(FlowRecorder owner) : IObserver<DiagnosticListener>
    {
        public void OnNext(DiagnosticListener value)
        {
            if (value.Name != FlowDiagnostics.ListenerName)
            {
                return;
            }

            var subscription = value.Subscribe(new EventObserver(owner));
            lock (owner._subscriptions)
            {
                owner._subscriptions.Add(subscription);
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }

    private sealed class EventObserver(FlowRecorder owner) : IObserver<KeyValuePair<string, object?>>
    {
        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Value is FlowHop hop)
            {
                owner.OnEvent(value.Key, hop);
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }
}
