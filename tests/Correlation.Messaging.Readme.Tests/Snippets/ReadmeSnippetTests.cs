using Correlation.Messaging.TestSupport;

namespace Correlation.Messaging.Readme.Tests.Snippets;

/// <summary>
/// Every C# block of the READMEs is a marked snippet whose text equals a <c>#region</c> of code that CI compiles
/// (<c>samples/Snippets</c>, <c>samples/QuickStart</c>). To refresh the markdown after changing a region, run these
/// tests with <c>UPDATE_SNIPPETS=1</c>.
/// </summary>
public sealed class ReadmeSnippetTests
{
    /// <summary>
    /// READMEs left out of the check, with the reason (none at present: every README of the repository is checked).
    /// </summary>
    private static readonly Dictionary<string, string> NotChecked = new(StringComparer.Ordinal)
    {
    };

    private static string Root => BrokerEndpoints.RepositoryRoot ?? throw new InvalidOperationException("Messaging.sln not found above " + AppContext.BaseDirectory);

    public static TheoryData<string> Readmes()
    {
        var data = new TheoryData<string>();
        foreach (var file in ReadmeFiles().Where(f => !NotChecked.ContainsKey(f)))
        {
            data.Add(file);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Readmes))]
    public void Readme_EveryCSharpBlock_IsASnippetEqualToItsRegion(string readme)
    {
        var regions = Regions();
        var path = Path.Combine(Root, readme);
        var text = File.ReadAllText(path);
        var snippets = MarkdownSnippets.ReadSnippets(readme, text, out var structure);
        if (Environment.GetEnvironmentVariable("UPDATE_SNIPPETS") == "1")
        {
            File.WriteAllText(path, MarkdownSnippets.Update(text, snippets, regions));
            snippets = MarkdownSnippets.ReadSnippets(readme, File.ReadAllText(path), out structure);
        }

        var problems = structure.Concat(MarkdownSnippets.Compare(snippets, regions)).ToList();

        problems.ShouldBeEmpty(string.Join('\n', problems));
    }

    [Fact]
    public void Regions_EveryOne_IsShownInAReadme()
    {
        var used = ReadmeFiles()
            .SelectMany(f => MarkdownSnippets.ReadSnippets(f, File.ReadAllText(Path.Combine(Root, f)), out _))
            .Select(s => s.Name)
            .ToHashSet(StringComparer.Ordinal);

        Regions().Values.Where(r => !used.Contains(r.Name)).Select(r => $"{r.File}:{r.Line} {r.Name}").ShouldBeEmpty();
    }

    [Fact]
    public void Compare_SnippetDiffersByOneCharacter_IsReportedWithTheLine()
    {
        var regions = MarkdownSnippets.ReadRegions("Code.cs", "class C\n{\n    #region demo\n    var a = 1;\n    var b = 2;\n    #endregion\n}");
        var markdown = "text\n<!-- snippet: demo -->\n```csharp\nvar a = 1;\nvar b = 3;\n```\n<!-- endSnippet -->\n";
        var snippets = MarkdownSnippets.ReadSnippets("README.md", markdown, out var structure);

        structure.ShouldBeEmpty();
        var problem = MarkdownSnippets.Compare(snippets, regions.ToDictionary(r => r.Name)).ShouldHaveSingleItem();
        problem.ShouldContain("README.md:2: snippet 'demo' differs from Code.cs:3");
        problem.ShouldContain("markdown: var b = 3;");
        MarkdownSnippets.Compare(
            MarkdownSnippets.ReadSnippets("README.md", markdown.Replace("b = 3", "b = 2", StringComparison.Ordinal), out _),
            regions.ToDictionary(r => r.Name)).ShouldBeEmpty();
    }

    [Fact]
    public void ReadSnippets_UnmarkedCSharpBlock_IsAProblem()
    {
        MarkdownSnippets.ReadSnippets("README.md", "```csharp\nvar x = 1;\n```\n", out var structure);

        structure.ShouldHaveSingleItem().ShouldContain("README.md:1: a C# block that is not a snippet");
    }

    private static IEnumerable<string> ReadmeFiles() =>
        new[] { "README.md", "samples/README.md" }
            .Concat(Directory.GetDirectories(Path.Combine(Root, "src")).Select(d => Path.GetRelativePath(Root, Path.Combine(d, "README.md")).Replace('\\', '/')))
            .Where(f => File.Exists(Path.Combine(Root, f)));

    private static Dictionary<string, CodeRegion> Regions()
    {
        var regions = new Dictionary<string, CodeRegion>(StringComparer.Ordinal);
        foreach (var folder in new[] { "samples/Snippets", "samples/QuickStart" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, folder), "*.cs", SearchOption.AllDirectories)
                         .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal)))
            {
                var relative = Path.GetRelativePath(Root, file).Replace('\\', '/');
                foreach (var region in MarkdownSnippets.ReadRegions(relative, File.ReadAllText(file)))
                {
                    regions.TryAdd(region.Name, region).ShouldBeTrue($"#region '{region.Name}' is defined twice ({relative})");
                }
            }
        }

        return regions;
    }
}
