using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Projects;
using AiStudio.Tests.Support;
using AiStudio.Web.Components.Pages.Builds;
using AngleSharp.Dom;
using Bunit;

namespace AiStudio.Tests.Projects.Components;

/// <summary>The build page under a project's approval rules: progress, who approved, and why a person may not approve.</summary>
public sealed class DecisionBarApprovalTests : ComponentTestBase
{
    private Actor _owner = null!;
    private Actor _starter = null!;
    private Guid _projectId;

    public override async Task InitializeAsync()
    {
        await UseRealCoreAsync();
        var projects = Host.Get<IProjectService>();
        _owner = await Host.CreateUserAsync("owner@example.com");
        _starter = await Host.CreateUserAsync("starter@example.com");
        _projectId = await projects.CreateAsync(_owner, "Billing");
        await projects.AddMemberAsync(_owner, _projectId, 0, _starter.DisplayName, ProjectRole.Editor);
    }

    [Fact]
    public async Task Render_StarterUnderSeparateApprover_ShowsReasonInsteadOfApproveButKeepsReject()
    {
        var buildId = await StartAwaitingAsync(new ApprovalRules(RequireSeparateApprover: true));
        SignIn(_starter);

        var cut = RenderPage(buildId);

        cut.WaitForAssertion(() => Assert.Contains("You started this build", cut.Find(".approval-refusal").TextContent));
        Assert.DoesNotContain(Buttons(cut), b => b is "Approve" or "Edit and approve");
        Assert.Contains("Reject", Buttons(cut));
    }

    [Fact]
    public async Task Render_OneOfTwoApprovals_ShowsProgressAndWhoApproved()
    {
        var buildId = await StartAwaitingAsync(new ApprovalRules(RequiredApprovals: 2));
        var details = await Host.Get<IBuildQueries>().GetAsync(_starter, buildId);
        await Host.Get<IBuildCommands>().ApproveAsync(_starter, buildId, details!.CurrentRun!.Id, details.Version);
        SignIn(_owner);

        var cut = RenderPage(buildId);

        cut.WaitForAssertion(() => Assert.Equal("1 of 2 approvals: approved by starter@example.com", cut.Find(".approval-progress").TextContent.Trim()));
        Assert.Contains("Approve", Buttons(cut));
    }

    [Fact]
    public async Task Render_AlreadyApprovedOneOfTwo_ShowsWhyNotAgain()
    {
        var buildId = await StartAwaitingAsync(new ApprovalRules(RequiredApprovals: 2));
        var details = await Host.Get<IBuildQueries>().GetAsync(_starter, buildId);
        await Host.Get<IBuildCommands>().ApproveAsync(_starter, buildId, details!.CurrentRun!.Id, details.Version);
        SignIn(_starter);

        var cut = RenderPage(buildId);

        cut.WaitForAssertion(() => Assert.Contains("You have already approved attempt 1 of Discovery", cut.Find(".approval-refusal").TextContent));
        Assert.DoesNotContain("Approve", Buttons(cut));
    }

    private async Task<Guid> StartAwaitingAsync(ApprovalRules rules)
    {
        var projects = Host.Get<IProjectService>();
        await projects.UpdateSettingsAsync(_owner, _projectId, (await projects.GetAsync(_owner, _projectId))!.Version, rules);
        var buildId = await Host.Get<IBuildCommands>().StartAsync(_starter,
            new NewBuildRequest("", "Invoice reminders", "Customers get a reminder before an invoice is due.", ProjectId: _projectId));
        await WaitForCurrentRunAsync(_starter, buildId);
        return buildId;
    }

    private IRenderedComponent<BuildPage> RenderPage(Guid buildId) => Render<BuildPage>(p => p.Add(c => c.BuildId, buildId));

    private static List<string> Buttons(IRenderedComponent<BuildPage> cut) =>
        cut.FindAll(".decision-bar button").Select(b => b.TextContent.Trim()).ToList();
}
