using Verify = Correlation.Messaging.Analyzers.Tests.Infrastructure.Verifier<
    Correlation.Messaging.Analyzers.AmbientWrite.AmbientWriteInAsyncAnalyzer>;

namespace Correlation.Messaging.Analyzers.Tests.AmbientWrite;

public sealed class AmbientWriteInAsyncAnalyzerTests
{
    public static TheoryData<string, string> WritesInAsync => new()
    {
        { "accessor in an async method", Helper("async Task", "{|CM0006:accessor.Current = context|}; await Task.Yield();") },
        { "accessor in an async ValueTask method", Helper("async ValueTask", "await Task.Yield(); {|CM0006:accessor.Current = null|};") },
        { "coalescing write", Helper("async Task", "{|CM0006:accessor.Current ??= context|}; await Task.Yield();") },
        { "async lambda", Helper("void", "Func<Task> load = async () => { {|CM0006:accessor.Current = context|}; await Task.Yield(); }; _ = load;") },
        { "async local function", Helper("void", "_ = Load(); async Task Load() { await Task.Yield(); {|CM0006:accessor.Current = context|}; }") },
        { "own AsyncLocal of the context", Helper("async Task", "{|CM0006:Local.Value = context|}; await Task.Yield();") },
        { "accessor implementation", Helper("async Task", "{|CM0006:own.Current = context|}; await Task.Yield();") },
    };

    public static TheoryData<string, string> Fine => new()
    {
        { "synchronous method", Helper("void", "accessor.Current = context;") },
        { "async method reads", Helper("async Task", "var current = accessor.Current; await Task.Yield(); _ = current;") },
        { "async method uses a scope", Helper("async Task", "using var scope = CorrelationContext.BeginScope(context); await Task.Yield();") },
        { "synchronous lambda in an async method", Helper("async Task", "Action set = () => accessor.Current = context; set(); await Task.Yield();") },
        { "AsyncLocal of another type", Helper("async Task", "Other.Value = \"x\"; await Task.Yield();") },
        { "another Current property", Helper("async Task", "System.Diagnostics.Activity.Current = null; await Task.Yield();") },
        { "returns a scope from a synchronous helper", Helper("CorrelationScope", "return CorrelationContext.BeginScope(context);") },
    };

    [Theory]
    [MemberData(nameof(WritesInAsync))]
    public async Task Analyzer_WriteInAsync_Reports(string name, string source)
    {
        _ = name;
        await Verify.AnalyzerAsync(source);
    }

    [Theory]
    [MemberData(nameof(Fine))]
    public async Task Analyzer_NoLostWrite_ReportsNothing(string name, string source)
    {
        _ = name;
        await Verify.AnalyzerAsync(source);
    }

    private static string Helper(string returnType, string body) => $$"""
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Correlation.Messaging;

        public sealed class OwnAccessor : ICorrelationContextAccessor
        {
            public CorrelationContext? Current { get; set; }
        }

        public static class Helpers
        {
            private static readonly AsyncLocal<CorrelationContext?> Local = new();
            private static readonly AsyncLocal<string?> Other = new();

            public static {{returnType}} Restore(ICorrelationContextAccessor accessor, OwnAccessor own, CorrelationContext context)
            {
                {{body}}
            }
        }
        """;
}
