using System.Text;
using System.Text.RegularExpressions;

namespace Correlation.Messaging.Readme.Tests.Snippets;

/// <summary>One <c>#region name</c> of a snippet source file, dedented.</summary>
public sealed record CodeRegion(string Name, string File, int Line, string Text);

/// <summary>One snippet of a markdown file: <c>&lt;!-- snippet: name --&gt;</c>, a <c>csharp</c> fence, <c>&lt;!-- endSnippet --&gt;</c>.</summary>
public sealed record MarkdownSnippet(string Name, string File, int Line, string Text, int FirstContentLine, int ContentLineCount, int Indent = 0);

/// <summary>
/// The README snippet check, in the spirit of Polly's (MarkdownSnippets): markdown holds marked copies of
/// <c>#region</c> blocks from code that compiles; a copy that differs from its region is an error.
/// </summary>
public static partial class MarkdownSnippets
{
    public const string Fence = "```csharp";

    public static IReadOnlyList<CodeRegion> ReadRegions(string file, string text)
    {
        var regions = new List<CodeRegion>();
        var open = new Stack<(string Name, int Line, List<string> Lines)>();
        var lines = SplitLines(text);
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].Trim();
            if (trimmed.StartsWith("#region ", StringComparison.Ordinal))
            {
                open.Push((trimmed["#region ".Length..].Trim(), i + 1, []));
                continue;
            }

            if (trimmed.StartsWith("#endregion", StringComparison.Ordinal) && open.Count > 0)
            {
                var (name, line, body) = open.Pop();
                regions.Add(new CodeRegion(name, file, line, Dedent(body)));
                continue;
            }

            foreach (var region in open)
            {
                region.Lines.Add(lines[i]);
            }
        }

        return regions;
    }

    public static IReadOnlyList<MarkdownSnippet> ReadSnippets(string file, string text, out IReadOnlyList<string> problems)
    {
        var snippets = new List<MarkdownSnippet>();
        var errors = new List<string>();
        var lines = SplitLines(text);
        for (var i = 0; i < lines.Length; i++)
        {
            var marker = SnippetMarker().Match(lines[i]);
            if (marker.Success)
            {
                var name = marker.Groups[1].Value;
                if (i + 1 >= lines.Length || lines[i + 1].Trim() != Fence)
                {
                    errors.Add($"{file}:{i + 1}: snippet '{name}' must be followed by a {Fence} fence");
                    continue;
                }

                var end = i + 2;
                while (end < lines.Length && lines[end].Trim() != "```")
                {
                    end++;
                }

                if (end + 1 >= lines.Length || lines[end + 1].Trim() != "<!-- endSnippet -->")
                {
                    errors.Add($"{file}:{i + 1}: snippet '{name}' must end with <!-- endSnippet --> after its fence");
                }

                // A snippet inside a list item is indented like its fence.
                var indent = lines[i + 1].Length - lines[i + 1].TrimStart().Length;
                var body = lines[(i + 2)..end].Select(l => l.Length >= indent && l[..indent].Trim().Length == 0 ? l[indent..] : l.TrimStart());
                snippets.Add(new MarkdownSnippet(name, file, i + 1, string.Join('\n', body), i + 2, end - (i + 2), indent));
                i = end;
                continue;
            }

            if (lines[i].Trim() == Fence)
            {
                errors.Add($"{file}:{i + 1}: a C# block that is not a snippet: wrap it in <!-- snippet: name --> ... <!-- endSnippet --> and put the code in a #region of samples/Snippets or samples/QuickStart");
            }
        }

        problems = errors;
        return snippets;
    }

    /// <summary>Compares every snippet with its region; returns one message per mismatch or missing region.</summary>
    public static IReadOnlyList<string> Compare(IEnumerable<MarkdownSnippet> snippets, IReadOnlyDictionary<string, CodeRegion> regions)
    {
        var problems = new List<string>();
        foreach (var snippet in snippets)
        {
            if (!regions.TryGetValue(snippet.Name, out var region))
            {
                problems.Add($"{snippet.File}:{snippet.Line}: no #region '{snippet.Name}' in the snippet sources");
                continue;
            }

            if (!string.Equals(Normalize(snippet.Text), region.Text, StringComparison.Ordinal))
            {
                problems.Add($"{snippet.File}:{snippet.Line}: snippet '{snippet.Name}' differs from {region.File}:{region.Line}\n{FirstDifference(Normalize(snippet.Text), region.Text)}");
            }
        }

        return problems;
    }

    /// <summary>Rewrites the snippets of a markdown text from their regions (the code is the source of truth).</summary>
    public static string Update(string text, IReadOnlyList<MarkdownSnippet> snippets, IReadOnlyDictionary<string, CodeRegion> regions)
    {
        var lines = SplitLines(text).ToList();
        foreach (var snippet in snippets.OrderByDescending(s => s.FirstContentLine))
        {
            if (regions.TryGetValue(snippet.Name, out var region))
            {
                lines.RemoveRange(snippet.FirstContentLine, snippet.ContentLineCount);
                var indent = new string(' ', snippet.Indent);
                lines.InsertRange(snippet.FirstContentLine, SplitLines(region.Text).Select(l => l.Length == 0 ? l : indent + l));
            }
        }

        return string.Join('\n', lines);
    }

    private static string[] SplitLines(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');

    private static string Normalize(string text) => string.Join('\n', SplitLines(text).Select(l => l.TrimEnd()));

    private static string Dedent(List<string> lines)
    {
        var indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join('\n', lines.Select(l => (l.Length >= indent ? l[indent..] : l.TrimStart()).TrimEnd()));
    }

    private static string FirstDifference(string markdown, string code)
    {
        var a = SplitLines(markdown);
        var b = SplitLines(code);
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var left = i < a.Length ? a[i] : "(end)";
            var right = i < b.Length ? b[i] : "(end)";
            if (left != right)
            {
                return new StringBuilder().Append("  line ").Append(i + 1).Append("\n    markdown: ").Append(left).Append("\n    code:     ").Append(right).ToString();
            }
        }

        return string.Empty;
    }

    [GeneratedRegex(@"^\s*<!--\s*snippet:\s*(\S+)\s*-->\s*$")]
    private static partial Regex SnippetMarker();
}
