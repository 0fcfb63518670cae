using Microsoft.Playwright;

namespace Correlation.Messaging.Timeline.Tests.Browser;

/// <summary>
/// Debian's Chromium, driven headless through Playwright (which never downloads a browser here: its executablePath is
/// the system's). Missing Chromium fails the tests in CI (eng/test.sh installs it) and skips them elsewhere.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    private static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
    private IPlaywright? _playwright;

    public IBrowser? Browser { get; private set; }

    public string? MissingReason { get; private set; }

    public static string? ExecutablePath =>
        Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } configured ? configured : Candidates.FirstOrDefault(File.Exists);

    public async ValueTask InitializeAsync()
    {
        if (ExecutablePath is not { } path)
        {
            MissingReason = "Chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH); eng/test.sh installs it.";
            return;
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>Gets the browser, or fails (in CI) or skips the test when Chromium is missing.</summary>
    public IBrowser Require()
    {
        if (Browser is not null)
        {
            return Browser;
        }

        if (TestEnvironment.IsCi)
        {
            Assert.Fail(MissingReason);
        }

        Assert.Skip(MissingReason!);
        return null!;
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
