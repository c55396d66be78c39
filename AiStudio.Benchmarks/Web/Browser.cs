using Microsoft.Playwright;

namespace AiStudio.Benchmarks.Web;

/// <summary>Debian's Chromium through Playwright, as the browser tests drive it; one context, many pages.</summary>
public sealed class Browser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string Password = "Str0ng!Passw0rd";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private readonly Uri _baseAddress;

    private Browser(IPlaywright playwright, IBrowser browser, IBrowserContext context, Uri baseAddress)
    {
        _playwright = playwright;
        _browser = browser;
        Context = context;
        _baseAddress = baseAddress;
    }

    public IBrowserContext Context { get; }

    public static async Task<Browser> StartAsync(Uri baseAddress)
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"This benchmark needs Debian's Chromium at {ChromiumPath} (apt-get install chromium).");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-renderer-backgrounding", "--disable-background-timer-throttling",
                "--disable-backgrounding-occluded-windows"],
        });
        return new Browser(playwright, browser, await NewContextAsync(browser, baseAddress), baseAddress);
    }

    /// <summary>Another context of the same browser: its own cookies, so another person.</summary>
    public Task<IBrowserContext> NewContextAsync() => NewContextAsync(_browser, _baseAddress);

    private static async Task<IBrowserContext> NewContextAsync(IBrowser browser, Uri baseAddress)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseAddress.ToString(), ViewportSize = new() { Width = 1400, Height = 1000 } });
        context.SetDefaultTimeout(60_000);
        return context;
    }

    public static Task WaitForCircuitAsync(IPage page) =>
        page.Locator("#circuit-state[data-interactive='true']").WaitForAsync(new() { State = WaitForSelectorState.Attached });

    /// <summary>Signs up as a person does (the cookie then serves every page of the context) and ends on the board.</summary>
    public async Task<IPage> SignUpAsync(string email, IBrowserContext? context = null)
    {
        var page = await (context ?? Context).NewPageAsync();
        await page.GotoAsync("Account/Register");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByLabel("Confirm Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).WaitForAsync();
        await OpenBoardAsync(page);
        return page;
    }

    public static async Task OpenBoardAsync(IPage page)
    {
        await page.GotoAsync("builds");
        await page.GetByRole(AriaRole.Heading, new() { Name = "Pipeline board" }).WaitForAsync();
        await WaitForCircuitAsync(page);
    }

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
