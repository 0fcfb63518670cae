using System.Collections.Immutable;
using System.Reflection;
using Correlation.Messaging.Analyzers.FlowSuppressed;
using Correlation.Messaging.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Correlation.Messaging.Analyzers.Tests.FlowSuppressed;

/// <summary>
/// CM0001 is true: the code it flags, compiled and run against the real Correlation.Messaging.Core, loses the
/// correlation ID; the fixed code (capture before, restore in the callback) keeps it, and is not flagged.
/// </summary>
public sealed class FlowSuppressedRuntimeTests
{
    private const string Source = """
        using System.Threading;
        using Correlation.Messaging;

        public static class Probe
        {
            public static string? Flagged(string id)
            {
                using var scope = CorrelationContext.BeginScope(new CorrelationContext(id));
                string? seen = "not run";
                using var done = new ManualResetEventSlim();
                ThreadPool.UnsafeQueueUserWorkItem(_ => { seen = CorrelationContext.Current?.CorrelationId; done.Set(); }, null);
                done.Wait();
                return seen;
            }

            public static string? SuppressedThenQueued(string id)
            {
                using var scope = CorrelationContext.BeginScope(new CorrelationContext(id));
                string? seen = "not run";
                using var done = new ManualResetEventSlim();
                using (ExecutionContext.SuppressFlow())
                {
                    ThreadPool.QueueUserWorkItem(_ => { seen = CorrelationContext.Current?.CorrelationId; done.Set(); });
                }

                done.Wait();
                return seen;
            }

            public static string? Fixed(string id)
            {
                using var scope = CorrelationContext.BeginScope(new CorrelationContext(id));
                string? seen = "not run";
                using var done = new ManualResetEventSlim();
                var captured = CorrelationContext.Current!;
                ThreadPool.UnsafeQueueUserWorkItem(_ =>
                {
                    using var restored = CorrelationContext.BeginScope(captured);
                    seen = CorrelationContext.Current?.CorrelationId;
                    done.Set();
                }, null);
                done.Wait();
                return seen;
            }
        }
        """;

    [Fact]
    public async Task FlaggedCode_WhenRun_LosesTheCorrelationId()
    {
        var (diagnostics, probe) = await CompileAsync();

        Flagged(diagnostics, "Flagged").ShouldBeTrue();
        Run(probe, "Flagged", "flow-1").ShouldBeNull();
    }

    [Fact]
    public async Task SuppressFlowScope_WhenRun_LosesTheCorrelationId()
    {
        var (diagnostics, probe) = await CompileAsync();

        Flagged(diagnostics, "SuppressedThenQueued").ShouldBeTrue();
        Run(probe, "SuppressedThenQueued", "flow-2").ShouldBeNull();
    }

    [Fact]
    public async Task FixedCode_WhenRun_KeepsTheCorrelationIdAndIsNotFlagged()
    {
        var (diagnostics, probe) = await CompileAsync();

        Flagged(diagnostics, "Fixed").ShouldBeFalse();
        Run(probe, "Fixed", "flow-3").ShouldBe("flow-3");
    }

    private static bool Flagged(ImmutableArray<Diagnostic> diagnostics, string method)
    {
        var methodStart = Source.IndexOf($"public static string? {method}(", StringComparison.Ordinal);
        var methodEnd = Source.IndexOf("public static string?", methodStart + 1, StringComparison.Ordinal);
        methodEnd = methodEnd < 0 ? Source.Length : methodEnd;
        return diagnostics.Any(d => d.Id == "CM0001" && d.Location.SourceSpan.Start > methodStart && d.Location.SourceSpan.Start < methodEnd);
    }

    private static string? Run(Type probe, string method, string id) =>
        (string?)probe.GetMethod(method, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, [id]);

    private static async Task<(ImmutableArray<Diagnostic> Diagnostics, Type Probe)> CompileAsync()
    {
        var compilation = CSharpCompilation.Create(
            "Probe" + Guid.NewGuid().ToString("N"),
            [CSharpSyntaxTree.ParseText(Source, new CSharpParseOptions(LanguageVersion.Latest), cancellationToken: TestContext.Current.CancellationToken)],
            References.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var diagnostics = await compilation
            .WithAnalyzers([new FlowSuppressedAnalyzer()])
            .GetAnalyzerDiagnosticsAsync(TestContext.Current.CancellationToken);

        using var image = new MemoryStream();
        var emitted = compilation.Emit(image, cancellationToken: TestContext.Current.CancellationToken);
        emitted.Success.ShouldBeTrue(string.Join(Environment.NewLine, emitted.Diagnostics));
        var assembly = Assembly.Load(image.ToArray());
        return (diagnostics, assembly.GetType("Probe")!);
    }
}
