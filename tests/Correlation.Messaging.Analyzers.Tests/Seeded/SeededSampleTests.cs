using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Correlation.Messaging.Analyzers.AmbientWrite;
using Correlation.Messaging.Analyzers.FireAndForget;
using Correlation.Messaging.Analyzers.FlowSuppressed;
using Correlation.Messaging.Analyzers.HandOff;
using Correlation.Messaging.Analyzers.HandWrittenHeader;
using Correlation.Messaging.Analyzers.ScopeMisuse;
using Correlation.Messaging.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Correlation.Messaging.Analyzers.Tests.Seeded;

/// <summary>
/// One real instance of each diagnostic, seeded into a scratch service that compiles against the real packages: every
/// analyzer reports exactly the lines marked <c>// expect CMxxxx</c>, and nothing else.
/// </summary>
public sealed partial class SeededSampleTests
{
    [Fact]
    public async Task AllAnalyzers_SeededService_ReportExactlyTheMarkedLines()
    {
        var source = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Seeded", "SeededService.cs.txt"), TestContext.Current.CancellationToken);
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), cancellationToken: TestContext.Current.CancellationToken);
        var compilation = CSharpCompilation.Create(
            "Scratch",
            [tree],
            References.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        compilation.GetDiagnostics(TestContext.Current.CancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error).ShouldBeEmpty();

        ImmutableArray<DiagnosticAnalyzer> analyzers =
        [
            new FlowSuppressedAnalyzer(), new HandOffAnalyzer(), new FireAndForgetAnalyzer(), new HandWrittenHeaderAnalyzer(), new ScopeMisuseAnalyzer(), new AmbientWriteInAsyncAnalyzer(),
        ];
        var reported = (await compilation.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync(TestContext.Current.CancellationToken))
            .Select(d => $"{d.Location.GetLineSpan().StartLinePosition.Line + 1}:{d.Id}")
            .Order(StringComparer.Ordinal)
            .ToArray();

        var expected = source.Split('\n')
            .Select((line, index) => (Match: Expect().Match(line), Line: index + 1))
            .Where(x => x.Match.Success)
            .Select(x => $"{x.Line}:{x.Match.Groups[1].Value}")
            .Order(StringComparer.Ordinal)
            .ToArray();

        expected.Select(e => e.Split(':')[1]).Distinct().Count().ShouldBe(6);
        reported.ShouldBe(expected);
    }

    [GeneratedRegex(@"// expect (CM\d{4})")]
    private static partial Regex Expect();
}
