using Correlation.Messaging.Analyzers.CodeFixes;
using Correlation.Messaging.Analyzers.ScopeMisuse;
using Correlation.Messaging.Analyzers.Tests.Infrastructure;
using Verify = Correlation.Messaging.Analyzers.Tests.Infrastructure.Verifier<
    Correlation.Messaging.Analyzers.ScopeMisuse.ScopeMisuseAnalyzer,
    Correlation.Messaging.Analyzers.CodeFixes.UseScopeCodeFix>;

namespace Correlation.Messaging.Analyzers.Tests.ScopeMisuse;

public sealed class ScopeMisuseAnalyzerTests
{
    private const string Usings = """
        using System;
        using System.Threading.Tasks;
        using Correlation.Messaging;
        using Correlation.Messaging.Propagation;

        """;

    public static TheoryData<string, string> Misuses => new()
    {
        { "statement", Method("{|CM0005:CorrelationContext.BeginScope(context)|};") },
        { "discard", Method("_ = {|CM0005:CorrelationPropagator.Default.BeginScope(context)|};") },
        { "local never disposed", Method("var scope = {|CM0005:CorrelationContext.BeginScope(context)|}; Console.WriteLine(scope.Context);") },
        { "property read then dropped", Method("var id = {|CM0005:CorrelationContext.BeginScope(context)|}.Context;") },
        { "disposed twice", Method("using var scope = {|CM0005:CorrelationContext.BeginScope(context)|}; scope.Dispose();") },
        {
            "static field",
            Usings + """
            public static class Holder
            {
                private static CorrelationScope s_scope;
                public static void Begin(CorrelationContext context) => s_scope = {|CM0005:CorrelationContext.BeginScope(context)|};
            }
            """
        },
        {
            "field of a type that never disposes",
            Usings + """
            public sealed class Handler
            {
                private CorrelationScope _scope;
                public void Begin(CorrelationContext context) { _scope = {|CM0005:CorrelationContext.BeginScope(context)|}; }
            }
            """
        },
        {
            "field initializer",
            Usings + """
            public sealed class Handler
            {
                private readonly CorrelationScope _scope = {|CM0005:CorrelationContext.BeginScope(new CorrelationContext("c-1"))|};
            }
            """
        },
    };

    public static TheoryData<string, string> CorrectUses => new()
    {
        { "using declaration", Method("using var scope = CorrelationContext.BeginScope(context);") },
        { "using statement", Method("using (CorrelationPropagator.Default.BeginScope(context)) { Console.WriteLine(CorrelationContext.Current); }") },
        { "disposed in finally", Method("var scope = CorrelationContext.BeginScope(context); try { } finally { scope.Dispose(); }") },
        { "using over a local", Method("var scope = CorrelationContext.BeginScope(context); using (scope) { }") },
        { "passed on", Method("Keep(CorrelationContext.BeginScope(context));") },
        {
            "returned to the caller",
            Usings + """
            public static class Scopes
            {
                public static CorrelationScope Begin(CorrelationContext context) => CorrelationContext.BeginScope(context);
                public static CorrelationScope BeginLocal(CorrelationContext context) { var scope = CorrelationContext.BeginScope(context); return scope; }
            }
            """
        },
        {
            "field of a disposable owner",
            Usings + """
            public sealed class Owner : IDisposable
            {
                private readonly CorrelationScope _scope;
                public Owner(CorrelationContext context) => _scope = CorrelationContext.BeginScope(context);
                public void Dispose() => _scope.Dispose();
            }
            """
        },
        { "not a scope", Method("using var scope = CorrelationContext.BeginScope(context); var next = new CorrelationContext(\"c-2\");") },
    };

    [Theory]
    [MemberData(nameof(Misuses))]
    public async Task Analyzer_Misuse_Reports(string name, string source)
    {
        _ = name;
        await Verify.AnalyzerAsync(source);
    }

    [Theory]
    [MemberData(nameof(CorrectUses))]
    public async Task Analyzer_CorrectUse_ReportsNothing(string name, string source)
    {
        _ = name;
        await Verify.AnalyzerAsync(source);
    }

    [Fact]
    public async Task CodeFix_Statement_BecomesUsingDeclaration() =>
        await Verify.CodeFixAsync(
            Method("{|CM0005:CorrelationContext.BeginScope(context)|};\n        Console.WriteLine(CorrelationContext.Current);"),
            Method("using var scope = CorrelationContext.BeginScope(context);\n        Console.WriteLine(CorrelationContext.Current);"));

    [Fact]
    public async Task CodeFix_Discard_BecomesUsingDeclaration() =>
        await Verify.CodeFixAsync(
            Method("_ = {|CM0005:CorrelationPropagator.Default.BeginScope(context)|};"),
            Method("using var scope = CorrelationPropagator.Default.BeginScope(context);"));

    [Fact]
    public async Task CodeFix_LocalNeverDisposed_GainsUsing() =>
        await Verify.CodeFixAsync(
            Method("var current = {|CM0005:CorrelationContext.BeginScope(context)|};\n        Console.WriteLine(current.Context);"),
            Method("using var current = CorrelationContext.BeginScope(context);\n        Console.WriteLine(current.Context);"));

    [Fact]
    public async Task CodeFix_NameTaken_PicksAFreeName() =>
        await Verify.CodeFixAsync(
            Method("var scope = 1;\n        {|CM0005:CorrelationContext.BeginScope(context)|};\n        Console.WriteLine(scope);"),
            Method("var scope = 1;\n        using var scope1 = CorrelationContext.BeginScope(context);\n        Console.WriteLine(scope);"));

    private static string Method(string body) => Usings + $$"""
        public static class Handler
        {
            public static void Handle(CorrelationContext context)
            {
                {{body}}
            }

            private static void Keep(CorrelationScope scope) => scope.Dispose();
        }
        """;
}
