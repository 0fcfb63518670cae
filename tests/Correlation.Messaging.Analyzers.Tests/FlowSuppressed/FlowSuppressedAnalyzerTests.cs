using Correlation.Messaging.Analyzers.Tests.Infrastructure;
using Verify = Correlation.Messaging.Analyzers.Tests.Infrastructure.Verifier<
    Correlation.Messaging.Analyzers.FlowSuppressed.FlowSuppressedAnalyzer>;

namespace Correlation.Messaging.Analyzers.Tests.FlowSuppressed;

public sealed class FlowSuppressedAnalyzerTests
{
    public static TheoryData<string, string> SuppressedInFlow => new()
    {
        {
            "MassTransit consumer",
            FlowSources.Consumer("{|CM0001:ThreadPool.UnsafeQueueUserWorkItem(_ => Work(), null)|};")
        },
        {
            "controller action",
            FlowSources.Controller("using ({|CM0001:ExecutionContext.SuppressFlow()|}) { ThreadPool.QueueUserWorkItem(_ => Work()); }")
        },
        {
            "after a using scope",
            FlowSources.Plain("using var scope = CorrelationContext.BeginScope(context);\n        {|CM0001:token.UnsafeRegister(_ => Work(), null)|};")
        },
        {
            "inside a using statement scope",
            FlowSources.Plain("using (CorrelationPropagator.Default.BeginScope(context)) { {|CM0001:new Thread(Work).UnsafeStart()|}; }")
        },
        {
            "minimal API endpoint",
            FlowSources.Plain("endpoints.MapGet(\"/orders\", () => { {|CM0001:ThreadPool.UnsafeQueueUserWorkItem(_ => Work(), null)|}; return \"ok\"; });")
        },
        {
            "Kafka handler",
            FlowSources.Plain("_ = consumer.ConsumeWithCorrelationAsync(CorrelationPropagator.Default, (result, ct) => { {|CM0001:ThreadPool.UnsafeRegisterWaitForSingleObject(new ManualResetEvent(false), (_, _) => Work(), null, 10, true)|}; return Task.CompletedTask; }, token);")
        },
    };

    public static TheoryData<string, string> NotLost => new()
    {
        { "no flow", FlowSources.Plain("ThreadPool.UnsafeQueueUserWorkItem(_ => Work(), null); using (ExecutionContext.SuppressFlow()) { }") },
        { "flowing APIs in a consumer", FlowSources.Consumer("ThreadPool.QueueUserWorkItem(_ => Work()); token.Register(() => Work()); new Thread(Work).Start();") },
        {
            "before the scope begins",
            FlowSources.Plain("using (ExecutionContext.SuppressFlow()) { Work(); }\n        using var scope = CorrelationContext.BeginScope(context);")
        },
        {
            "callback restores the captured context",
            FlowSources.Consumer("var captured = CorrelationContext.Current!; ThreadPool.UnsafeQueueUserWorkItem(_ => { using var restored = CorrelationContext.BeginScope(captured); Work(); }, null);")
        },
        { "non-action controller method", FlowSources.Controller("ThreadPool.UnsafeQueueUserWorkItem(_ => Work(), null);", nonAction: true) },
        {
            "delegate given to an adapter that is not a handler",
            FlowSources.Plain("CorrelationPropagator.Default.Inject(context, new System.Collections.Generic.Dictionary<string, string>(), (headers, name, value) => { ThreadPool.UnsafeQueueUserWorkItem(_ => Work(), null); });")
        },
        {
            "lambda given to an unrelated API",
            FlowSources.Plain("Action run = () => ThreadPool.UnsafeQueueUserWorkItem(_ => Work(), null); Task.Run(run);")
        },
    };

    [Theory]
    [MemberData(nameof(SuppressedInFlow))]
    public async Task Analyzer_SuppressedInFlow_Reports(string name, string source)
    {
        _ = name;
        await Verify.AnalyzerAsync(source);
    }

    [Theory]
    [MemberData(nameof(NotLost))]
    public async Task Analyzer_ContextNotLost_ReportsNothing(string name, string source)
    {
        _ = name;
        await Verify.AnalyzerAsync(source);
    }
}
