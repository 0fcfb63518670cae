using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Correlation.Messaging.Analyzers.Tests.Infrastructure;

/// <summary>Runs an analyzer (and its code fix) over C# source with markup: <c>{|CM0005:code|}</c> marks an expected diagnostic.</summary>
internal static class Verifier<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    public static Task AnalyzerAsync(string source) => new Test { TestCode = source }.RunAsync(TestContext.Current.CancellationToken);

    public static Task CodeFixAsync(string source, string fixedSource) =>
        new Test { TestCode = source, FixedCode = fixedSource }.RunAsync(TestContext.Current.CancellationToken);

    private sealed class Test : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    {
        public Test()
        {
            ReferenceAssemblies = References.None;
            TestState.AdditionalReferences.AddRange(References.All);
            TestState.OutputKind = OutputKind.DynamicallyLinkedLibrary;
        }

        protected override ParseOptions CreateParseOptions() =>
            ((CSharpParseOptions)base.CreateParseOptions()).WithLanguageVersion(LanguageVersion.Latest);

        protected override CompilationOptions CreateCompilationOptions() =>
            ((CSharpCompilationOptions)base.CreateCompilationOptions()).WithNullableContextOptions(NullableContextOptions.Enable);
    }
}

/// <summary>For analyzers without a code fix.</summary>
internal static class Verifier<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public static Task AnalyzerAsync(string source) => Verifier<TAnalyzer, EmptyCodeFixProvider>.AnalyzerAsync(source);
}
