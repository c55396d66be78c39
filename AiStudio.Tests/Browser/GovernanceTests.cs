using AiStudio.Tests.Support;
using Microsoft.Playwright;

namespace AiStudio.Tests.Browser;

/// <summary>
/// Teams in the browser: an owner rejects a phase and adds a viewer; the viewer can read the build but not
/// approve it; an administrator finds the rejection in the audit trail by its action and reads its detail.
/// </summary>
public sealed class GovernanceTests : IAsyncLifetime
{
    private const string Reason = "Cover refunds for cancelled invoices too.";

    private readonly AiStudioWebFactory _factory = new(new Dictionary<string, string?>
    {
        ["Admin:Emails:0"] = "admin@example.com",
    });

    private BrowserSession _browser = null!;

    public async Task InitializeAsync()
    {
        BrowserFlows.UseSessionTimeoutForAssertions();
        _browser = await BrowserSession.StartAsync(_factory.StartAndGetAddress());
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _factory.DisposeAsync();
    }

    [Fact]
    public Task ViewerAndAdmin_OnABuildWithARejection_ViewerCannotApproveAndAdminFindsTheVerdict() =>
        _browser.RunAsync(nameof(ViewerAndAdmin_OnABuildWithARejection_ViewerCannotApproveAndAdminFindsTheVerdict), async page =>
        {
            await BrowserFlows.SignUpAsync(_browser, "viewer@example.com");
            await BrowserFlows.LogOutAsync(_browser);

            await BrowserFlows.SignUpAsync(_browser, "owner@example.com");
            await BrowserFlows.StartBuildAsync(_browser, "Invoice reminders");
            var buildUrl = page.Url;
            await page.GetByRole(AriaRole.Button, new() { Name = "Reject", Exact = true }).ClickAsync();
            await page.GetByLabel("Reason for rejecting").FillAsync(Reason);
            await page.GetByRole(AriaRole.Button, new() { Name = "Reject and try again" }).ClickAsync();
            await Assertions.Expect(page.GetByText("Discovery attempt 2 is waiting for your approval")).ToBeVisibleAsync(new() { Timeout = 30_000 });

            await page.GetByRole(AriaRole.Link, new() { Name = "Projects" }).First.ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "My project" }).First.ClickAsync();
            await _browser.WaitForCircuitAsync();
            await page.GetByLabel("Member email").FillAsync("viewer@example.com");
            await BrowserFlows.ChooseAsync(page, "Role", "Viewer");
            await page.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "viewer@example.com" })).ToHaveCountAsync(1);
            await Assertions.Expect(page.GetByLabel("Role of viewer@example.com")).ToContainTextAsync("Viewer");
            await BrowserFlows.LogOutAsync(_browser);

            await BrowserFlows.LogInAsync(_browser, "viewer@example.com");
            await page.GotoAsync(buildUrl);
            await _browser.WaitForCircuitAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Invoice reminders", Exact = true })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByText("is waiting for approval by an editor of My project")).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true })).ToHaveCountAsync(0);
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Reject", Exact = true })).ToHaveCountAsync(0);
            await BrowserFlows.LogOutAsync(_browser);

            await BrowserFlows.SignUpAsync(_browser, "admin@example.com");
            await page.GetByRole(AriaRole.Link, new() { Name = "Audit" }).First.ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Audit trail" })).ToBeVisibleAsync();
            await _browser.WaitForCircuitAsync();
            await page.GetByLabel("Action").FillAsync("phase.rejected");
            await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
            var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = Reason });
            await Assertions.Expect(row).ToHaveCountAsync(1);
            await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "phase.approved" })).ToHaveCountAsync(0);

            await row.GetByRole(AriaRole.Link).First.ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Audit event" })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByText(Reason).First).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByText("owner@example.com").First).ToBeVisibleAsync();
        });
}
