using System.Text;
using System.Text.RegularExpressions;

namespace Correlation.Messaging.Timeline.Input;

/// <summary>The files (and whether stdin) to read, after expanding directories and globs.</summary>
internal sealed record ResolvedInputs(IReadOnlyList<string> Files, bool ReadStdin, IReadOnlyList<string> Unmatched);

/// <summary>Expands command-line paths: files, directories (their log files, recursively), globs (<c>*</c>, <c>?</c>, <c>**</c>), and <c>-</c> for stdin.</summary>
internal static class InputResolver
{
    /// <summary>The extensions read from a directory given as an argument.</summary>
    internal static readonly string[] LogExtensions = [".log", ".json", ".jsonl", ".ndjson", ".txt", ".clef"];

    public static ResolvedInputs Resolve(IReadOnlyList<string> paths, string currentDirectory)
    {
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var unmatched = new List<string>();
        var stdin = false;
        foreach (var path in paths)
        {
            if (path == "-")
            {
                stdin = true;
                continue;
            }

            var before = files.Count;
            var full = Path.GetFullPath(path, currentDirectory);
            if (File.Exists(full))
            {
                Add(full);
            }
            else if (Directory.Exists(full))
            {
                foreach (var file in SafeEnumerate(full, "*", recursive: true).Where(f => LogExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase)).Order(StringComparer.Ordinal))
                {
                    Add(file);
                }
            }
            else if (path.AsSpan().IndexOfAny('*', '?') >= 0)
            {
                foreach (var file in Glob(path, currentDirectory))
                {
                    Add(file);
                }
            }

            if (files.Count == before && !seen.Contains(full))
            {
                unmatched.Add(path);
            }
        }

        return new ResolvedInputs(files, stdin, unmatched);

        void Add(string file)
        {
            if (seen.Add(file))
            {
                files.Add(file);
            }
        }
    }

    /// <summary>Expands one glob: the part before the first wildcard segment is the root; <c>**</c> spans directories.</summary>
    internal static IEnumerable<string> Glob(string pattern, string currentDirectory)
    {
        var normalized = pattern.Replace('\\', '/');
        var segments = normalized.Split('/');
        var firstWild = Array.FindIndex(segments, s => s.AsSpan().IndexOfAny('*', '?') >= 0);
        var rootPart = string.Join('/', segments[..firstWild]);
        if (firstWild == 1 && segments[0].Length == 0)
        {
            rootPart = "/";
        }

        var root = Path.GetFullPath(rootPart.Length == 0 ? "." : rootPart, currentDirectory);
        if (!Directory.Exists(root))
        {
            return [];
        }

        var rest = string.Join('/', segments[firstWild..]);
        var recursive = segments.Length - firstWild > 1 || rest.Contains("**", StringComparison.Ordinal);
        var regex = new Regex(ToRegex(rest), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        return SafeEnumerate(root, "*", recursive)
            .Where(file => regex.IsMatch(Path.GetRelativePath(root, file).Replace('\\', '/')))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    internal static string ToRegex(string glob)
    {
        var builder = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                var slash = i + 2 < glob.Length && glob[i + 2] == '/';
                builder.Append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else if (c == '*')
            {
                builder.Append("[^/]*");
            }
            else if (c == '?')
            {
                builder.Append("[^/]");
            }
            else
            {
                builder.Append(Regex.Escape(c.ToString()));
            }
        }

        return builder.Append('$').ToString();
    }

    private static IEnumerable<string> SafeEnumerate(string root, string pattern, bool recursive)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = recursive,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.System | FileAttributes.Device,
        };
        return Directory.EnumerateFiles(root, pattern, options);
    }
}
