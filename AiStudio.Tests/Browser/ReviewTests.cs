using System.Text.RegularExpressions;
using AiStudio.Tests.Support;
using Microsoft.Playwright;

namespace AiStudio.Tests.Browser;

/// <summary>A reviewer's verdicts in Debian's Chromium against the real app and the offline model, by visible labels only.</summary>
public sealed class ReviewTests : IAsyncLifetime
{
    private static readonly LocatorAssertionsToBeEnabledOptions ModelTime = new() { Timeout = 30_000 };

    private readonly AiStudioWebFactory _factory = new(new Dictionary<string, string?>
    {
        ["Models:Offline:ChunkDelayMilliseconds"] = "2",
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
    public Task Reviewer_RejectsApprovesSendsBackEditsPausesAndCancels_EachVerdictShowsOnThePage() =>
        _browser.RunAsync(nameof(Reviewer_RejectsApprovesSendsBackEditsPausesAndCancels_EachVerdictShowsOnThePage), async page =>
    {
        await BrowserFlows.SignUpAsync(_browser, "reviewer@example.com");
        await BrowserFlows.StartBuildAsync(_browser, "Invoice reminders");

        // Reject: the Q Assistant tries again and says what it changed, quoting the reason.
        const string rejectReason = "Reminders must also go out by SMS.";
        await Expect(Button("Approve")).ToBeEnabledAsync(ModelTime);
        await Button("Reject").ClickAsync();
        await page.GetByLabel("Reason for rejecting").FillAsync(rejectReason);
        await Button("Reject and try again").ClickAsync();

        await Expect(OutputHeading("Requirements document, attempt 2")).ToBeVisibleAsync();
        await Expect(Button("Approve")).ToBeEnabledAsync(ModelTime);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Changes in this attempt" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Blockquote).First).ToContainTextAsync(rejectReason);
        await Button("Approve").ClickAsync();

        // Send back from Planning: Discovery runs a third time.
        await Expect(OutputHeading("Implementation plan, attempt 1")).ToBeVisibleAsync();
        await Expect(Button("Approve")).ToBeEnabledAsync(ModelTime);
        await Button("Send back").ClickAsync();
        await page.GetByLabel("Reason for sending back").FillAsync("Name the reminder email's sender address.");
        await Button("Send back to Discovery").ClickAsync();

        await Expect(OutputHeading("Requirements document, attempt 3")).ToBeVisibleAsync();
        await Expect(Button("Approve")).ToBeEnabledAsync(ModelTime);

        // Edit and approve: Planning starts from the reviewer's version.
        await Button("Edit and approve").ClickAsync();
        await page.GetByLabel("Your version of the output").FillAsync("## Requirements\n\n1. Email and SMS reminders seven days before the due date.");
        await Button("Approve my version").ClickAsync();
        await Expect(OutputHeading("Implementation plan, attempt 2")).ToBeVisibleAsync();

        // A run that completes bumps the build's version; acting on the page's older version would be refused as a conflict.
        await Expect(Button("Approve")).ToBeEnabledAsync(ModelTime);
        await Button("Pause").ClickAsync();
        await Expect(page.GetByText("This build is on hold at Planning.")).ToBeVisibleAsync();
        await Button("Resume").ClickAsync();
        await Expect(Button("Pause")).ToBeVisibleAsync();
        await Expect(page.GetByText("This build is on hold")).ToHaveCountAsync(0);

        await Button("Cancel build").ClickAsync();
        await page.GetByLabel("Reason for cancelling").FillAsync("Finance bought a reminder service instead.");
        await Button("Cancel this build").ClickAsync();
        await Expect(page.GetByText("This build was cancelled.")).ToContainTextAsync("Finance bought a reminder service instead.");
        await Expect(Button("Pause")).ToHaveCountAsync(0);
    });

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private ILocator Button(string name) => _browser.Page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    private ILocator OutputHeading(string artifactAndAttempt) =>
        _browser.Page.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex($"^Output of .* — {Regex.Escape(artifactAndAttempt)}$") });
}
