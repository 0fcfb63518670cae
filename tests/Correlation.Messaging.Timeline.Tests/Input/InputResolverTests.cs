using Correlation.Messaging.Timeline.Input;

namespace Correlation.Messaging.Timeline.Tests.Input;

public sealed class InputResolverTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("corr-timeline-tests-").FullName;

    public InputResolverTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "logs", "nested"));
        File.WriteAllText(Path.Combine(_root, "logs", "a.log"), string.Empty);
        File.WriteAllText(Path.Combine(_root, "logs", "b.json"), string.Empty);
        File.WriteAllText(Path.Combine(_root, "logs", "image.png"), string.Empty);
        File.WriteAllText(Path.Combine(_root, "logs", "nested", "c.log"), string.Empty);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Resolve_Directory_ReadsItsLogFilesRecursively()
    {
        var resolved = InputResolver.Resolve(["logs"], _root);

        resolved.Files.Select(f => Path.GetRelativePath(_root, f).Replace('\\', '/')).ShouldBe(["logs/a.log", "logs/b.json", "logs/nested/c.log"]);
        resolved.Unmatched.ShouldBeEmpty();
    }

    [Fact]
    public void Resolve_Globs_MatchSingleAndRecursiveSegments()
    {
        InputResolver.Resolve(["logs/*.log"], _root).Files.Select(Path.GetFileName).ShouldBe(["a.log"]);
        InputResolver.Resolve(["logs/**/*.log"], _root).Files.Select(Path.GetFileName).ShouldBe(["a.log", "c.log"]);
        InputResolver.Resolve(["logs/?.json"], _root).Files.Select(Path.GetFileName).ShouldBe(["b.json"]);
    }

    [Fact]
    public void Resolve_MissingPathsAndDash_AreReported()
    {
        var resolved = InputResolver.Resolve(["nope.log", "-", "logs/*.txt", "logs/a.log", "logs/a.log"], _root);

        resolved.Unmatched.ShouldBe(["nope.log", "logs/*.txt"]);
        resolved.ReadStdin.ShouldBeTrue();
        resolved.Files.ShouldHaveSingleItem();
    }
}
