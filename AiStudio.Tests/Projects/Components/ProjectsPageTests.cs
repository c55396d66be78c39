using AiStudio.Core.Common;
using AiStudio.Core.Projects;
using AiStudio.Tests.Support;
using AiStudio.Web.Components.Pages.Projects;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Projects.Components;

public sealed class ProjectsPageTests : ComponentTestBase
{
    private Actor _actor = null!;
    private IProjectService _projects = null!;

    public override async Task InitializeAsync()
    {
        await UseRealCoreAsync();
        _projects = Host.Get<IProjectService>();
        Services.AddSingleton(_projects);
        _actor = await SignInNewUserAsync("member@example.com");
    }

    [Fact]
    public async Task Render_MemberOfTwo_ListsThemWithRoleAndMemberCount()
    {
        var owner = await Host.CreateUserAsync("owner@example.com");
        var shared = await _projects.CreateAsync(owner, "Shared");
        await _projects.AddMemberAsync(owner, shared, 0, _actor.DisplayName, ProjectRole.Viewer);
        await _projects.CreateAsync(_actor, "Own");

        var cut = Render<ProjectsPage>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("#project-table tbody tr").Count));
        var rows = cut.FindAll("#project-table tbody tr").Select(r => r.QuerySelectorAll("td").Take(3).Select(td => td.TextContent.Trim()).ToList()).ToList();
        Assert.Equal(["Own", "Owner", "1"], rows[0]);
        Assert.Equal(["Shared", "Viewer", "2"], rows[1]);
        Assert.Equal($"projects/{shared}", cut.FindAll("#project-table a")[1].GetAttribute("href"));
    }

    [Fact]
    public async Task CreateProject_EmptyName_ShowsMessageAndCreatesNothing()
    {
        var cut = Render<ProjectsPage>();
        cut.WaitForAssertion(() => Assert.Contains("You are not a member of any project yet.", cut.Markup));

        await cut.InvokeAsync(() => cut.FindAll("button").Single(b => b.TextContent.Trim() == "Create project").Click());

        cut.WaitForAssertion(() => Assert.Contains("Project name is required.", cut.Markup));
        Assert.Empty(await _projects.ListAsync(_actor));
    }

    [Fact]
    public async Task CreateProject_ValidName_CreatesItAndOpensItsPage()
    {
        var cut = Render<ProjectsPage>();
        cut.WaitForAssertion(() => Assert.Contains("You are not a member of any project yet.", cut.Markup));

        cut.FindAll(".mud-input-control").Single(c => c.QuerySelector("label")?.TextContent.Trim() == "Project name").QuerySelector("input")!.Input("Payments");
        await cut.InvokeAsync(() => cut.FindAll("button").Single(b => b.TextContent.Trim() == "Create project").Click());

        var created = Assert.Single(await _projects.ListAsync(_actor));
        Assert.Equal(("Payments", ProjectRole.Owner), (created.Name, created.Role!.Value));
        Assert.EndsWith($"projects/{created.Id}", Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().Uri);
    }
}
