using System.Text.RegularExpressions;
using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AiStudio.Tests.Browser;

/// <summary>
/// A newcomer's first visit, in Debian's Chromium against the real app: sign up, start a build, watch
/// each phase's output appear, approve six times, see the build complete. Only visible labels are used.
/// </summary>
public sealed class PipelineEndToEndTests : IAsyncLifetime
{
    private readonly AiStudioWebFactory _factory = new(new Dictionary<string, string?>
    {
        // Slow enough that the streamed text is visible before the run completes.
        ["Models:Offline:ChunkDelayMilliseconds"] = "5",
    });

    private BrowserSession _browser = null!;

    public async Task InitializeAsync() => _browser = await BrowserSession.StartAsync(_factory.StartAndGetAddress());

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _factory.DisposeAsync();
    }

    [Fact]
    public Task NewUser_SignsUpStartsBuildAndApprovesSixPhases_BuildCompletes() =>
        _browser.RunAsync(nameof(NewUser_SignsUpStartsBuildAndApprovesSixPhases_BuildCompletes), async page =>
    {
        await BrowserFlows.SignUpAsync(_browser, "newcomer@example.com");
        await BrowserFlows.StartBuildAsync(_browser, "Invoice reminders",
            "Customers receive an email reminder seven days before an invoice is due.\n" +
            "Finance staff can switch reminders off per customer.\n" +
            "Every reminder sent is logged with its invoice number.");

        string[] artifacts = ["Requirements document", "Implementation plan", "Source code", "Test cases", "Verification report", "Deployment configuration"];
        foreach (var artifact in artifacts)
        {
            var approve = page.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true });
            await Assertions.Expect(approve).ToBeEnabledAsync(new() { Timeout = 30_000 });
            await Assertions.Expect(page.GetByText(new Regex(Regex.Escape(artifact)))).Not.ToHaveCountAsync(0);
            await Assertions.Expect(page.GetByText("offline model").First).ToBeVisibleAsync();
            await approve.ClickAsync();
        }

        await Assertions.Expect(page.GetByText("Build complete")).ToBeVisibleAsync(new() { Timeout = 30_000 });

        await using var db = await _factory.Services.GetRequiredService<IDbContextFactory<AiStudio.Core.Persistence.AiStudioDbContext>>().CreateDbContextAsync();
        var build = await db.Builds.Include(b => b.Runs).SingleAsync();
        Assert.Equal(BuildState.Complete, build.State);
        Assert.Equal(6, build.Runs.Count(r => r.Status == PhaseRunStatus.Approved));
        Assert.All(build.Runs, r => Assert.Equal("newcomer@example.com", r.DecidedBy));
        Assert.Equal(6, await db.AuditEvents.CountAsync(e => e.Action == AuditActions.PhaseApproved && e.BuildId == build.Id));
        Assert.Contains("invoice", build.Runs.Single(r => r.Phase == Phase.Discovery).Output!, StringComparison.OrdinalIgnoreCase);
    });
}
