using Microsoft.Playwright;

namespace AiStudio.Tests.Browser;

/// <summary>Debian's Chromium driven by Playwright; no browser download, the package's driver only.</summary>
public sealed class BrowserSession : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumFlags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private BrowserSession(IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Context = context;
        Page = page;
    }

    public IBrowserContext Context { get; }
    public IPage Page { get; }
    public List<string> ConsoleErrors { get; } = [];

    public static async Task<BrowserSession> StartAsync(Uri baseAddress)
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Browser tests need Debian's Chromium at {ChromiumPath}: run ./test.sh, which installs it, or apt-get install chromium.");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumFlags,
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseAddress.ToString(), ViewportSize = new() { Width = 1400, Height = 1000 } });
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();
        var session = new BrowserSession(playwright, browser, context, page);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                session.ConsoleErrors.Add(message.Text);
            }
        };
        return session;
    }

    /// <summary>Waits until the Blazor circuit is interactive: prerendered HTML shows first and early clicks are lost.</summary>
    public async Task WaitForCircuitAsync() =>
        await Page.Locator("#circuit-state[data-interactive='true']").WaitForAsync(new() { State = WaitForSelectorState.Attached });

    /// <summary>Runs a browser scenario; on failure keeps a screenshot and the page's text beside the test results.</summary>
    public async Task RunAsync(string name, Func<IPage, Task> scenario)
    {
        try
        {
            await scenario(Page);
        }
        catch
        {
            var folder = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "browser-failures")).FullName;
            await Page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"{name}.png"), FullPage = true });
            await File.WriteAllTextAsync(Path.Combine(folder, $"{name}.txt"),
                $"{Page.Url}\n\nConsole errors:\n{string.Join("\n", ConsoleErrors)}\n\n{await Page.InnerTextAsync("body")}");
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
