using Correlation.Messaging.Analyzers.Tests.Infrastructure;
using Verify = Correlation.Messaging.Analyzers.Tests.Infrastructure.Verifier<
    Correlation.Messaging.Analyzers.FireAndForget.FireAndForgetAnalyzer>;

namespace Correlation.Messaging.Analyzers.Tests.FireAndForget;

public sealed class FireAndForgetAnalyzerTests
{
    public static TheoryData<string, string> Dropped => new()
    {
        { "Task.Run discarded in a consumer", FlowSources.Consumer("_ = {|CM0003:Task.Run(() => Work())|};") },
        { "bare call in a controller action", FlowSources.Controller("{|CM0003:Task.Delay(100, HttpContext.RequestAborted)|};") },
        { "StartNew after a scope", FlowSources.Plain("using var scope = CorrelationContext.BeginScope(context);\n        _ = {|CM0003:Task.Factory.StartNew(Work)|};") },
        { "ValueTask in an endpoint", FlowSources.Plain("endpoints.MapPost(\"/orders\", () => { _ = {|CM0003:SaveAsync()|}; return \"accepted\"; });") },
        { "SQS handler", FlowSources.Plain("_ = processor.RunAsync((message, ct) => { _ = {|CM0003:Task.Delay(10, ct)|}; return Task.CompletedTask; }, token);") },
        { "Kafka handler", FlowSources.Plain("_ = consumer.ConsumeWithCorrelationAsync(CorrelationPropagator.Default, async (result, ct) => { {|CM0003:Task.Run(Work, ct)|}; await Task.Yield(); }, token);") },
    };

    public static TheoryData<string, string> Awaited => new()
    {
        { "awaited", FlowSources.Consumer("await Task.Run(() => Work());") },
        { "kept and awaited", FlowSources.Consumer("var pending = Task.Run(() => Work()); Work(); await pending;") },
        { "returned", FlowSources.Plain("endpoints.MapGet(\"/orders\", () => Task.Run(() => \"ok\"));") },
        { "outside a flow", FlowSources.Plain("_ = Task.Run(() => Work()); _ = SaveAsync();") },
        { "not a task", FlowSources.Consumer("_ = int.Parse(\"1\", System.Globalization.CultureInfo.InvariantCulture);") },
        { "joined", FlowSources.Consumer("await Task.WhenAll(Task.Run(() => Work()), Task.Delay(1, token));") },
    };

    [Theory]
    [MemberData(nameof(Dropped))]
    public async Task Analyzer_TaskDroppedInFlow_Reports(string name, string source)
    {
        _ = name;
        await Verify.AnalyzerAsync(source);
    }

    [Theory]
    [MemberData(nameof(Awaited))]
    public async Task Analyzer_TaskAwaitedOrOutsideFlow_ReportsNothing(string name, string source)
    {
        _ = name;
        await Verify.AnalyzerAsync(source);
    }
}
