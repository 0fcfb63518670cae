namespace Correlation.Messaging.Timeline.Tests;

/// <summary>
/// Whether the tests run in CI: the <c>CI</c> variable is <c>true</c>, <c>1</c> or <c>yes</c>, as eng/test.sh and the build
/// read it. (The tool's tests do not reference the libraries' test support, whose Core dependency brings a
/// <c>Correlation.Messaging.Flow</c> namespace that would shadow the timeline's <c>Flow</c> type.)
/// </summary>
internal static class TestEnvironment
{
    public static bool IsCi => Environment.GetEnvironmentVariable("CI")?.Trim().ToUpperInvariant() is "TRUE" or "1" or "YES";
}
