using Microsoft.Playwright;

namespace AiStudio.Tests.Browser;

/// <summary>Steps that many browser scenarios share, taken as a person would: by visible labels and button names.</summary>
internal static class BrowserFlows
{
    public const string Password = "Str0ng!Passw0rd";

    public const string Requirements =
        "Customers receive an email reminder seven days before an invoice is due.\n" +
        "Finance staff can switch reminders off per customer.\n" +
        "Every reminder sent is logged with its invoice number.";

    /// <summary>
    /// Gives web-first assertions the session's 20 s instead of Playwright's 5 s: on two busy cores a page
    /// can take longer than that to load, and a waiting assertion costs nothing when the page is quick.
    /// </summary>
    public static void UseSessionTimeoutForAssertions() => Assertions.SetDefaultExpectTimeout(20_000);

    /// <summary>Registers a new account from the home page and opens the pipeline board, ready for clicks.</summary>
    public static async Task SignUpAsync(BrowserSession browser, string email)
    {
        var page = browser.Page;
        await page.GotoAsync("");

        // Clicked before the circuit is up, the link is followed twice (enhanced navigation, then a full load once the
        // circuit's router sees a static page), and a field filled in between comes back empty.
        await browser.WaitForCircuitAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign up" }).First.ClickAsync();
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByLabel("Confirm Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();

        // Registering lands on an interactive page; a link clicked before its circuit is up changes the address but not the page.
        await browser.WaitForCircuitAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Pipeline board" }).First.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Pipeline board" })).ToBeVisibleAsync();
        await browser.WaitForCircuitAsync();
    }

    /// <summary>Starts a build from the board's dialog and waits on its page until the circuit is interactive.</summary>
    public static async Task StartBuildAsync(BrowserSession browser, string title, string requirements = Requirements)
    {
        var page = browser.Page;
        await page.GetByRole(AriaRole.Button, new() { Name = "New build" }).ClickAsync();
        await page.GetByLabel("Title").FillAsync(title);
        await page.GetByLabel("Requirements").FillAsync(requirements);
        await page.GetByRole(AriaRole.Button, new() { Name = "Start build" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = title, Exact = true })).ToBeVisibleAsync();
        await browser.WaitForCircuitAsync();
    }

    public static async Task LogOutAsync(BrowserSession browser)
    {
        var page = browser.Page;
        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Log in" }).First).ToBeVisibleAsync();
    }

    public static async Task LogInAsync(BrowserSession browser, string email)
    {
        var page = browser.Page;
        await page.GotoAsync("Account/Login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Log out" })).ToBeVisibleAsync();
        await browser.WaitForCircuitAsync();
    }

    /// <summary>
    /// Picks <paramref name="option"/> in the MudSelect labelled <paramref name="label"/> and waits until the select shows
    /// it; a click that lands while the list is still opening is lost, so the pick is tried again (three times at most).
    /// </summary>
    public static async Task ChooseAsync(IPage page, string label, string option)
    {
        var select = page.GetByLabel(label, new() { Exact = true });
        for (var attempt = 1; ; attempt++)
        {
            await select.ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true }).ClickAsync();
            try
            {
                await Assertions.Expect(select).ToContainTextAsync(option, new() { Timeout = 3_000 });
                return;
            }
            catch (PlaywrightException) when (attempt < 3)
            {
                await page.Keyboard.PressAsync("Escape");
            }
        }
    }
}
