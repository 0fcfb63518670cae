using System.Diagnostics;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Tracing;
using Correlation.Messaging.Tracing.Internal;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Tests.Tracing;

/// <summary>
/// The one consume-scope helper every adapter uses: the consumer span (started by the adapter) first, then the inbound
/// trace context, then the logging scope, then the ambient context; closed in reverse.
/// </summary>
public sealed class ConsumeScopeOrderTests
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public void Begin_OpensSpanThenTraceContextThenLoggingScopeThenContext()
    {
        var probe = new OrderProbe();
        using var factory = LoggerFactory.Create(b => b.AddProvider(probe));
        var propagator = new CorrelationPropagator(new CorrelationOptions { PropagateTraceContext = true }, factory);
        using var source = new ActivitySource("consume-order-test");
        using var listener = Listen(source.Name);
        var headers = new Dictionary<string, string> { ["X-Correlation-ID"] = "order-1", ["traceparent"] = TraceParent };
        var extracted = propagator.Extract(headers, Getter);
        var trace = TraceContextPropagation.Extract(headers, Getter);
        var previous = Activity.Current;
        var span = source.StartActivity("q process", ActivityKind.Consumer, trace.ActivityContext);

        var scope = TracedConsumeScope.Begin(propagator, extracted, "m-1", trace, span, previous);

        probe.AtLoggingScope.ShouldNotBeNull("the logging scope was opened");
        probe.AtLoggingScope.Value.Span.ShouldBeSameAs(span, "the consumer span is current before the logging scope opens");
        probe.AtLoggingScope.Value.InboundTraceParent.ShouldBe(TraceParent, "the inbound trace context is ambient before the logging scope");
        probe.AtLoggingScope.Value.Context.ShouldBeNull("the context becomes ambient last");
        CorrelationContext.Current!.CorrelationId.ShouldBe("order-1");
        span!.GetTagItem(CorrelationSpanAttributes.ConversationId).ShouldBe("order-1");

        scope.Dispose();
        CorrelationContext.Current.ShouldBeNull();
        InboundTraceContext.Current.ShouldBeNull();
        Activity.Current.ShouldBe(previous);
        span.IsStopped.ShouldBeTrue();
    }

    private static InboundHeaderValue Getter(Dictionary<string, string> headers, string name) =>
        headers.TryGetValue(name, out var v) ? InboundHeaderValue.FromText(v) : InboundHeaderValue.Missing;

    private static ActivityListener Listen(string name)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private sealed class OrderProbe : ILoggerProvider, ILogger
    {
        public (Activity? Span, string? InboundTraceParent, CorrelationContext? Context)? AtLoggingScope { get; private set; }

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            AtLoggingScope = (Activity.Current, InboundTraceContext.Current?.TraceParent, CorrelationContext.Current);
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => false;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }

        public void Dispose()
        {
        }
    }
}
