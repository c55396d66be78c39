using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Projects;
using AiStudio.Tests.Support;
using AiStudio.Web.Components.Pages.Projects;
using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace AiStudio.Tests.Projects.Components;

public sealed class ProjectPageTests : ComponentTestBase
{
    private Actor _owner = null!;
    private Actor _member = null!;
    private IProjectService _projects = null!;
    private Guid _projectId;

    public override async Task InitializeAsync()
    {
        await UseRealCoreAsync();
        _projects = Host.Get<IProjectService>();
        Services.AddSingleton(_projects);
        _owner = await Host.CreateUserAsync("owner@example.com");
        _member = await Host.CreateUserAsync("member@example.com");
        _projectId = await _projects.CreateAsync(_owner, "Billing");
    }

    [Fact]
    public async Task Render_Owner_ShowsMembersSettingsBuildsAndManagementControls()
    {
        await AddAsync(_member, ProjectRole.Editor);
        var buildId = await Host.Get<IBuildCommands>().StartAsync(_owner, new NewBuildRequest("", "Invoice reminders", "Customers get a reminder before an invoice is due.", ProjectId: _projectId));
        SignIn(_owner);

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Equal("Billing", cut.Find("h1").TextContent.Trim()));
        Assert.Equal(["owner@example.com", "member@example.com"], cut.FindAll(".member-table tbody tr").Select(r => r.GetAttribute("data-member")));
        Assert.Contains("Your role: Owner", cut.Find(".project-role").TextContent);
        Assert.NotNull(Button(cut, "Add member"));
        Assert.NotNull(Button(cut, "Save settings"));
        Assert.Equal(2, cut.FindAll("button").Count(b => b.TextContent.Trim() == "Remove"));
        Assert.NotNull(Input(cut, "Member email"));
        Assert.NotNull(Input(cut, "Approvals needed per phase"));
        Assert.Contains("Require a different person to approve than the one who started the build", cut.Markup);
        var link = cut.Find(".project-builds a");
        Assert.Equal($"builds/{buildId}", link.GetAttribute("href"));
        Assert.Contains("Invoice reminders", link.TextContent);
    }

    [Theory]
    [InlineData(ProjectRole.Editor)]
    [InlineData(ProjectRole.Viewer)]
    public async Task Render_EditorOrViewer_ShowsMembersButNoManagement(ProjectRole role)
    {
        await AddAsync(_member, role);
        SignIn(_member);

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".member-table tbody tr").Count));
        Assert.Contains($"Your role: {role}", cut.Find(".project-role").TextContent);
        Assert.Contains("Owner", cut.FindAll(".member-table tbody tr")[0].TextContent);
        Assert.DoesNotContain(cut.FindAll("button"), b => b.TextContent.Trim() is "Add member" or "Remove" or "Save settings");
        Assert.Empty(cut.FindAll(".mud-select"));
        Assert.Null(Input(cut, "Member email"));
        Assert.Contains("1 approval needed per phase", cut.Find(".approval-settings").TextContent);
    }

    [Fact]
    public void Render_NonMember_ShowsProjectNotFound()
    {
        SignIn(_member);

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Equal("Project not found", cut.Find("h1").TextContent.Trim()));
        Assert.DoesNotContain("owner@example.com", cut.Markup);
    }

    [Fact]
    public async Task AddMember_UnknownEmail_ShowsTheMessageAndAddsNobody()
    {
        SignIn(_owner);
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.NotNull(Input(cut, "Member email")));

        Input(cut, "Member email")!.Input("stranger@example.com");
        await cut.InvokeAsync(() => Button(cut, "Add member")!.Click());

        cut.WaitForAssertion(() => Assert.Contains("No account uses that email; ask them to sign up first.", cut.Find(".add-member").TextContent));
        Assert.Single((await _projects.GetAsync(_owner, _projectId))!.Members);
    }

    [Fact]
    public async Task AddMember_KnownEmail_AddsThemToTheTable()
    {
        SignIn(_owner);
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.NotNull(Input(cut, "Member email")));

        Input(cut, "Member email")!.Input("member@example.com");
        await cut.InvokeAsync(() => Button(cut, "Add member")!.Click());

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".member-table tbody tr").Count));
        Assert.Equal(ProjectRole.Editor, (await _projects.GetAsync(_member, _projectId))!.Role);
    }

    [Fact]
    public async Task Remove_Confirmed_RemovesTheMember()
    {
        await AddAsync(_member, ProjectRole.Viewer);
        SignIn(_owner);
        var dialogs = Render<MudDialogProvider>();
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".member-table tbody tr").Count));

        await cut.InvokeAsync(() => cut.Find("button[aria-label='Remove member@example.com']").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("will no longer see the builds of Billing", dialogs.Markup));
        await dialogs.InvokeAsync(() => dialogs.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Remove").Click());

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".member-table tbody tr")));
        Assert.Null(await _projects.GetAsync(_member, _projectId));
    }

    [Fact]
    public async Task SaveSettings_TwoApprovalsAndSeparateApprover_SavesThem()
    {
        SignIn(_owner);
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.NotNull(Input(cut, "Approvals needed per phase")));

        await cut.InvokeAsync(() => cut.Find("#require-separate-approver").Change(true));
        Input(cut, "Approvals needed per phase")!.Change("2");
        await cut.InvokeAsync(() => Button(cut, "Save settings")!.Click());

        await cut.WaitForAssertionAsync(async () =>
            Assert.Equal(new ApprovalRules(true, 2), (await _projects.GetAsync(_owner, _projectId))!.Settings));
    }

    private async Task AddAsync(Actor member, ProjectRole role) =>
        await _projects.AddMemberAsync(_owner, _projectId, (await _projects.GetAsync(_owner, _projectId))!.Version, member.DisplayName, role);

    private IRenderedComponent<ProjectPage> RenderPage() => Render<ProjectPage>(p => p.Add(c => c.ProjectId, _projectId));

    private static IElement? Input(IRenderedComponent<ProjectPage> cut, string label) =>
        cut.FindAll(".mud-input-control").SingleOrDefault(c => c.QuerySelector("label")?.TextContent.Trim() == label)?.QuerySelector("input");

    private static IElement? Button(IRenderedComponent<ProjectPage> cut, string text) =>
        cut.FindAll("button").FirstOrDefault(b => b.TextContent.Trim() == text);
}
