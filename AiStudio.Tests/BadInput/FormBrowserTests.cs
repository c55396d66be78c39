using AiStudio.Core.Builds;
using AiStudio.Tests.Browser;
using AiStudio.Tests.Support;
using Microsoft.Playwright;

namespace AiStudio.Tests.BadInput;

/// <summary>
/// The forms people meet first, in Debian's Chromium against the real app: sign-up and the new-build dialog.
/// Bad values get a message at the field and change nothing; markup is shown as text and never runs.
/// </summary>
public sealed class FormBrowserTests : IAsyncLifetime
{
    private readonly AiStudioWebFactory _factory = new(new Dictionary<string, string?>
    {
        ["Models:Offline:ChunkDelayMilliseconds"] = "0",
    });

    private BrowserSession _browser = null!;
    private readonly List<string> _dialogs = [];

    public async Task InitializeAsync()
    {
        BrowserFlows.UseSessionTimeoutForAssertions();
        _browser = await BrowserSession.StartAsync(_factory.StartAndGetAddress());

        // An alert() from injected markup would show here.
        _browser.Page.Dialog += (_, dialog) =>
        {
            _dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _factory.DisposeAsync();
    }

    [Fact]
    public Task SignUp_BadEmailsAndPasswords_MessageAtTheFieldAndNoAccount() =>
        _browser.RunAsync(nameof(SignUp_BadEmailsAndPasswords_MessageAtTheFieldAndNoAccount), async page =>
    {
        var before = await DatabaseSnapshot.TakeAsync(_factory.Services);
        await page.GotoAsync("Account/Register");

        (string Email, string Password, string Message)[] rows =
        [
            ("   ", BrowserFlows.Password, "The Email field is required."),
            (BadText.ScriptValue, BrowserFlows.Password, "The Email field is not a valid e-mail address."),
            ("robert'); DROP TABLE AspNetUsers;--@", BrowserFlows.Password, "The Email field is not a valid e-mail address."),
            ("new@example.com", "short", "The Password must be at least"),
            ("new@example.com", new string('x', 200), "and at max 100 characters long."),
        ];
        foreach (var (email, password, message) in rows)
        {
            await page.GetByLabel("Email").FillAsync(email);
            await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
            await page.GetByLabel("Confirm Password").FillAsync(password);
            await page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();

            await Assertions.Expect(page.GetByText(message).First).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Register" })).ToBeVisibleAsync();
        }

        await AssertNothingRanAsync(page);
        Assert.Equal(before, await DatabaseSnapshot.TakeAsync(_factory.Services));
    });

    [Fact]
    public Task NewBuildDialog_BadThenAllowedText_MessagesAtTheFieldsThenTheTextShownExactly() =>
        _browser.RunAsync(nameof(NewBuildDialog_BadThenAllowedText_MessagesAtTheFieldsThenTheTextShownExactly), async page =>
    {
        await BrowserFlows.SignUpAsync(_browser, "dialog@badinput.test");
        var before = await DatabaseSnapshot.TakeAsync(_factory.Services);
        await page.GetByRole(AriaRole.Button, new() { Name = "New build" }).ClickAsync();
        var title = page.GetByLabel("Title");
        var requirements = page.GetByLabel("Requirements");
        var start = page.GetByRole(AriaRole.Button, new() { Name = "Start build" });

        // Nothing typed: the dialog says what is missing.
        await start.ClickAsync();
        await Assertions.Expect(page.GetByText("Title is required.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Requirements are required.")).ToBeVisibleAsync();

        // A megabyte pasted: the field keeps what the rules allow and counts it; the page stays connected.
        await requirements.FocusAsync();
        await page.Keyboard.InsertTextAsync(BadText.Value(BadText.Megabyte));
        await Assertions.Expect(page.GetByText($"{Build.RequirementsMaxLength} / {Build.RequirementsMaxLength}")).ToBeVisibleAsync();
        Assert.Equal(Build.RequirementsMaxLength, (await requirements.InputValueAsync()).Length);

        // Control characters and too little text: refused by the service, the message at each field, also on a second try.
        await title.FillAsync("Invoice\u0007export");
        await requirements.FillAsync("Too short.");
        await start.ClickAsync();
        await Assertions.Expect(page.GetByText("Title contains control characters (U+0007)")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Requirements must be at least 20 characters")).ToBeVisibleAsync();
        Assert.Equal(before, await DatabaseSnapshot.TakeAsync(_factory.Services));

        // Markup, SQL and every script are content: stored and shown exactly, as text.
        var text = BadText.ScriptValue + " " + BadText.MixedValue;
        await title.FillAsync(text);
        await requirements.FillAsync(BadText.SqlValue + "\n" + BadText.MixedValue);
        await start.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = text, Exact = true })).ToBeVisibleAsync();
        await _browser.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByText(BadText.SqlValue).First).ToBeAttachedAsync();
        await AssertNothingRanAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "Pipeline board" }).First.ClickAsync();
        await Assertions.Expect(page.GetByText(text).First).ToBeVisibleAsync();
        await AssertNothingRanAsync(page);
    });

    private async Task AssertNothingRanAsync(IPage page)
    {
        Assert.True(await page.EvaluateAsync<bool>("() => window.__xss === undefined"), "Markup typed into a field ran as script.");
        Assert.Equal(0, await page.Locator("script:text('window.__xss'), img[src='x']").CountAsync());
        Assert.Empty(_dialogs);
    }

    [Fact]
    public Task AddMember_RefusedTwiceInARow_ShowsTheMessageBothTimesAndAddsNobody() =>
        _browser.RunAsync(nameof(AddMember_RefusedTwiceInARow_ShowsTheMessageBothTimesAndAddsNobody), async page =>
    {
        await BrowserFlows.SignUpAsync(_browser, "second-refusal@example.com");
        await BrowserFlows.StartBuildAsync(_browser, "Invoice reminders");
        await page.GetByRole(AriaRole.Link, new() { Name = "Projects" }).First.ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "My project" }).First.ClickAsync();
        await _browser.WaitForCircuitAsync();

        var email = page.GetByLabel("Member email");
        var message = page.GetByText("No account uses that email; ask them to sign up first.");
        await email.FillAsync("nobody@example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();
        await Assertions.Expect(message).ToBeVisibleAsync();

        // Edited, then refused again for the same reason: the message is there after the second try too.
        await email.FillAsync("nobody@example.co");
        await email.FillAsync("nobody@example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();
        await Assertions.Expect(message).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "nobody@example.com" })).ToHaveCountAsync(0);
    });
}
