using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Correlation.Messaging.Analyzers.Tests.Infrastructure;

/// <summary>
/// Compiles C# source against the real packages, runs an analyzer over it, and loads it, so that a test can show that
/// what an analyzer flags really loses the correlation ID when it runs.
/// </summary>
internal sealed class Probe
{
    private readonly string _source;
    private readonly ImmutableArray<Diagnostic> _diagnostics;
    private readonly Assembly _assembly;

    private Probe(string source, ImmutableArray<Diagnostic> diagnostics, Assembly assembly)
    {
        _source = source;
        _diagnostics = diagnostics;
        _assembly = assembly;
    }

    public static async Task<Probe> CompileAsync(string source, DiagnosticAnalyzer analyzer)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var compilation = CSharpCompilation.Create(
            "Probe" + Guid.NewGuid().ToString("N"),
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), cancellationToken: cancellationToken)],
            References.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var diagnostics = await compilation.WithAnalyzers([analyzer]).GetAnalyzerDiagnosticsAsync(cancellationToken);

        using var image = new MemoryStream();
        var emitted = compilation.Emit(image, cancellationToken: cancellationToken);
        emitted.Success.ShouldBeTrue(string.Join(Environment.NewLine, emitted.Diagnostics));
        return new Probe(source, diagnostics, Assembly.Load(image.ToArray()));
    }

    /// <summary>Whether a diagnostic <paramref name="id"/> is reported inside the text that starts with <paramref name="marker"/> and ends at the next <paramref name="end"/>.</summary>
    public bool Reports(string id, string marker, string end)
    {
        var start = _source.IndexOf(marker, StringComparison.Ordinal);
        start.ShouldBeGreaterThanOrEqualTo(0, marker);
        var stop = _source.IndexOf(end, start + marker.Length, StringComparison.Ordinal);
        stop = stop < 0 ? _source.Length : stop;
        return _diagnostics.Any(d => d.Id == id && d.Location.SourceSpan.Start >= start && d.Location.SourceSpan.Start < stop);
    }

    public object? Invoke(string type, string method, params object?[] arguments) =>
        _assembly.GetType(type)!.GetMethod(method, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, arguments);
}
