using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Projects;
using AiStudio.Tests.Support;
using AiStudio.Web.Components.Pages.Builds;
using AngleSharp.Dom;
using Bunit;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Builds.Components;

public sealed class BuildPageTests : ComponentTestBase
{
    private Actor _actor = null!;

    public override async Task InitializeAsync()
    {
        await UseRealCoreAsync();
        _actor = await SignInNewUserAsync();
    }

    [Fact]
    public async Task Render_AwaitingApproval_ShowsLabelledMarkdownOutputFromOfflineModel()
    {
        var buildId = await StartBuildAsync(_actor, "Invoice reminders");
        var details = await WaitForCurrentRunAsync(_actor, buildId);

        var cut = RenderPage(buildId);

        cut.WaitForAssertion(() => Assert.Equal("Invoice reminders", cut.Find("h1").TextContent.Trim()));
        Assert.Equal("Output of Q Assistant — Requirements document, attempt 1", cut.Find(".run-output h2").TextContent.Trim());
        Assert.Equal("offline model", cut.FindAll(".run-output .mud-chip").Single().TextContent.Trim());
        var run = details.CurrentRun!;
        var metrics = cut.Find(".run-metrics").TextContent;
        Assert.Contains($"Model {run.ModelId}", metrics);
        Assert.Contains($"tokens {run.InputTokens:N0} in / {run.OutputTokens:N0} out", metrics);
        // The model's markdown headings become real headings, nested under the output's own h2.
        var headings = cut.FindAll(".run-output .markdown-body h3, .run-output .markdown-body h4");
        Assert.NotEmpty(headings);
        Assert.DoesNotContain("# ", cut.Find(".run-output .markdown-body").TextContent.Split('\n').First(l => l.Trim().Length > 0));
    }

    [Fact]
    public async Task Render_HostileModelOutput_RendersMarkdownAndStripsScriptsAndJavascriptLinks()
    {
        var buildId = await StartBuildAsync(_actor);
        var details = await WaitForCurrentRunAsync(_actor, buildId);
        await SetOutputAsync(details.CurrentRun!.Id,
            "## Plan\n\nSome **bold** text.\n\n<script>alert('x')</script>\n\n[click me](javascript:alert(1))\n\n<img src=x onerror=alert(1)>\n");

        var cut = RenderPage(buildId);

        cut.WaitForAssertion(() => Assert.Equal("Plan", cut.Find(".run-output .markdown-body h4").TextContent.Trim()));
        var body = cut.Find(".run-output .markdown-body");
        Assert.Equal("bold", body.QuerySelector("strong")!.TextContent);
        Assert.Empty(body.QuerySelectorAll("script"));
        Assert.Empty(body.QuerySelectorAll("img"));
        var link = body.QuerySelectorAll("a").Single(a => a.TextContent == "click me");
        Assert.DoesNotContain("javascript", link.GetAttribute("href") ?? "", StringComparison.OrdinalIgnoreCase);
        Assert.All(body.QuerySelectorAll("*"), e => Assert.DoesNotContain(e.Attributes, a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase)));
        // Raw HTML in model output is shown as text, never parsed.
        Assert.Contains("<script>alert('x')</script>", body.TextContent);
        Assert.DoesNotContain("<script", body.InnerHtml);
    }

    [Fact]
    public async Task SystemPromptTab_Clicked_ShowsPromptVersionAndText()
    {
        var buildId = await StartBuildAsync(_actor);
        var details = await WaitForCurrentRunAsync(_actor, buildId);
        var inspection = await Host.Get<IBuildQueries>().InspectRunAsync(_actor, buildId, details.CurrentRun!.Id);
        var cut = RenderPage(buildId);
        cut.WaitForElement(".run-output");

        Tab(cut, "System prompt").Click();

        cut.WaitForAssertion(() => Assert.Equal($"System prompt version {inspection!.Prompt!.Version} of Q Assistant", cut.Find(".mud-tabs h2").TextContent.Trim()));
        Assert.Equal(inspection!.Prompt!.Text, cut.Find("pre.inspector-text").TextContent);
        Assert.Equal(details.CurrentRun.PromptVersion, inspection.Prompt.Version);
    }

    [Fact]
    public async Task MessagesSentTab_Clicked_ShowsEveryMessageInOrder()
    {
        var buildId = await StartBuildAsync(_actor);
        var details = await WaitForCurrentRunAsync(_actor, buildId);
        var inspection = await Host.Get<IBuildQueries>().InspectRunAsync(_actor, buildId, details.CurrentRun!.Id);
        var cut = RenderPage(buildId);
        cut.WaitForElement(".run-output");

        Tab(cut, "Messages sent").Click();

        cut.WaitForAssertion(() => Assert.Equal(inspection!.Messages.Count, cut.FindAll(".inspector-messages > li").Count));
        var shown = cut.FindAll(".inspector-messages > li").Select(li => li.QuerySelector("pre")!.TextContent).ToList();
        Assert.Equal(inspection!.Messages.Select(m => m.Content), shown);
        Assert.True(inspection.Messages.Count >= 3, "system prompt, the task and the model's reply");
        Assert.Equal("System", cut.FindAll(".inspector-messages > li h3")[0].TextContent.Trim());
        Assert.Contains("Customers receive an email reminder", string.Join("\n", shown));
    }

    [Fact]
    public async Task Render_AwaitingApproval_ShowsApproveButton()
    {
        var buildId = await StartBuildAsync(_actor);
        await WaitForCurrentRunAsync(_actor, buildId);

        var cut = RenderPage(buildId);

        cut.WaitForAssertion(() => Assert.Single(ApproveButtons(cut)));
        Assert.Contains("Discovery attempt 1 is waiting for your approval.", cut.Find(".decision-bar").TextContent);
    }

    [Fact]
    public async Task Render_BuildOnHoldWithOutputAwaiting_HidesApproveButton()
    {
        var buildId = await StartBuildAsync(_actor);
        var details = await WaitForCurrentRunAsync(_actor, buildId);
        await Host.Get<IBuildCommands>().PauseAsync(_actor, buildId, details.Version);

        var cut = RenderPage(buildId);

        cut.WaitForAssertion(() => Assert.Contains("This build is on hold at Discovery.", cut.Markup));
        Assert.Empty(ApproveButtons(cut));
        Assert.Contains("Current: On hold", cut.Find("li.phase-current").TextContent);
    }

    [Fact]
    public async Task Render_ViewerOfTheProject_HidesApproveButtonAndSaysWhoDecides()
    {
        var buildId = await StartBuildAsync(_actor, project: "Billing");
        var details = await WaitForCurrentRunAsync(_actor, buildId);
        var viewer = await Host.CreateUserAsync("viewer@example.com");
        await using (var db = await Host.CreateDbContextAsync())
        {
            db.ProjectMembers.Add(new ProjectMember(details.ProjectId, viewer.UserId, ProjectRole.Viewer, DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }

        SignIn(viewer);
        var cut = RenderPage(buildId);

        cut.WaitForAssertion(() => Assert.Contains("waiting for approval by an editor of Billing", cut.Find(".decision-bar").TextContent));
        Assert.Empty(ApproveButtons(cut));
    }

    [Fact]
    public async Task ApproveClicked_AwaitingApproval_MovesBuildToPlanning()
    {
        var buildId = await StartBuildAsync(_actor);
        await WaitForCurrentRunAsync(_actor, buildId);
        var cut = RenderPage(buildId);
        cut.WaitForAssertion(() => Assert.Single(ApproveButtons(cut)));

        ApproveButtons(cut).Single().Click();

        await cut.WaitForAssertionAsync(async () =>
        {
            var details = await Host.Get<IBuildQueries>().GetAsync(_actor, buildId);
            Assert.Equal(BuildState.Planning, details!.State);
            Assert.Equal(PhaseRunStatus.Approved, details.Runs.Single(r => r.Phase == Phase.Discovery).Status);
        }, TimeSpan.FromSeconds(10));
        cut.WaitForAssertion(() => Assert.Contains("Approved ✓", Step(cut, "Discovery").TextContent));
        Assert.Contains("Current:", Step(cut, "Planning").TextContent);
    }

    [Fact]
    public async Task Render_BuildApprovedElsewhere_UpdatesLiveAndEarlierAttemptCanBeInspected()
    {
        var buildId = await StartBuildAsync(_actor);
        var details = await WaitForCurrentRunAsync(_actor, buildId);
        var cut = RenderPage(buildId);
        cut.WaitForAssertion(() => Assert.Single(ApproveButtons(cut)));

        await Host.Get<IBuildCommands>().ApproveAsync(_actor, buildId, details.CurrentRun!.Id, details.Version);

        cut.WaitForAssertion(() => Assert.Contains("Approved ✓", Step(cut, "Discovery").TextContent), TimeSpan.FromSeconds(10));
        cut.WaitForAssertion(() => Assert.Equal("Output of Q Assistant — Implementation plan, attempt 1", cut.Find(".run-output h2").TextContent.Trim()),
            TimeSpan.FromSeconds(10));

        Step(cut, "Discovery").QuerySelector("button")!.Click();

        cut.WaitForAssertion(() => Assert.Equal("Output of Q Assistant — Requirements document, attempt 1", cut.Find(".run-output h2").TextContent.Trim()));
        Assert.Contains("You are looking at an earlier attempt.", cut.Markup);
    }

    [Fact]
    public async Task Render_AllSixPhasesApproved_ShowsBuildComplete()
    {
        var buildId = await StartBuildAsync(_actor);
        for (var i = 0; i < 6; i++)
        {
            var details = await WaitForCurrentRunAsync(_actor, buildId);
            await Host.Get<IBuildCommands>().ApproveAsync(_actor, buildId, details.CurrentRun!.Id, details.Version);
        }

        var cut = RenderPage(buildId);

        cut.WaitForAssertion(() => Assert.Contains("Build complete: all six phases approved.", cut.Find(".mud-alert").TextContent));
        Assert.Equal(6, cut.FindAll("li.phase-step").Count(li => li.TextContent.Contains("Approved ✓")));
        Assert.Empty(ApproveButtons(cut));
    }

    [Fact]
    public async Task Render_BuildOfAnotherTeam_ShowsBuildNotFound()
    {
        var stranger = await Host.CreateUserAsync("stranger@example.com");
        var buildId = await StartBuildAsync(stranger, "Secret plans", project: "Their project");

        var cut = RenderPage(buildId);

        cut.WaitForAssertion(() => Assert.Equal("Build not found", cut.Find("h1").TextContent.Trim()));
        Assert.DoesNotContain("Secret plans", cut.Markup);
    }

    [Fact]
    public void Render_UnknownId_ShowsBuildNotFound()
    {
        var cut = RenderPage(Guid.NewGuid());

        cut.WaitForAssertion(() => Assert.Equal("Build not found", cut.Find("h1").TextContent.Trim()));
    }

    private IRenderedComponent<BuildPage> RenderPage(Guid buildId) => Render<BuildPage>(p => p.Add(c => c.BuildId, buildId));

    private static IEnumerable<IElement> ApproveButtons(IRenderedComponent<BuildPage> cut) =>
        cut.FindAll("button").Where(b => b.TextContent.Trim() == "Approve");

    private static IElement Tab(IRenderedComponent<BuildPage> cut, string name) =>
        cut.FindAll(".mud-tab").Single(t => t.TextContent.Trim() == name);

    private static IElement Step(IRenderedComponent<BuildPage> cut, string phase) =>
        cut.FindAll("li.phase-step").Single(li => li.QuerySelector("h3")!.TextContent.Trim() == phase);

    private async Task SetOutputAsync(Guid runId, string output)
    {
        await using var db = await Host.CreateDbContextAsync();
        var run = await db.PhaseRuns.SingleAsync(r => r.Id == runId);
        db.Entry(run).Property(r => r.Output).CurrentValue = output;
        await db.SaveChangesAsync();
    }
}
