using AiStudio.Core.Builds;
using AiStudio.Tests.Support;
using AiStudio.Web.Components.Pages.Builds;
using AngleSharp.Dom;
using Bunit;

namespace AiStudio.Tests.Builds.Components;

public sealed class BoardTests : ComponentTestBase
{
    [Fact]
    public async Task Render_NoBuilds_SaysHowToStartOne()
    {
        await UseRealCoreAsync();
        await SignInNewUserAsync();

        var cut = Render<Board>();

        cut.WaitForAssertion(() => Assert.Contains("No builds yet. Start one with New build.", cut.Markup));
        Assert.All(cut.FindAll(".board-column-count"), count => Assert.Equal("0", count.TextContent.Trim()));
        Assert.Equal("New build", cut.FindAll("button").Single(b => b.TextContent.Contains("New build")).TextContent.Trim());
    }

    [Fact]
    public async Task Render_BuildsInSeveralStates_PlacesEachInItsColumnWithCounts()
    {
        await UseRealCoreAsync();
        var actor = await SignInNewUserAsync();
        var discovery = await StartBuildAsync(actor, "Awaiting discovery");
        var planning = await StartBuildAsync(actor, "Moved to planning");
        var held = await StartBuildAsync(actor, "Held build");
        var cancelled = await StartBuildAsync(actor, "Cancelled build");
        foreach (var id in new[] { discovery, planning, held, cancelled })
        {
            await WaitForCurrentRunAsync(actor, id);
        }

        var commands = Host.Get<IBuildCommands>();
        var queries = Host.Get<IBuildQueries>();
        var details = await queries.GetAsync(actor, planning);
        await commands.ApproveAsync(actor, planning, details!.CurrentRun!.Id, details.Version);
        await commands.PauseAsync(actor, held, (await queries.GetAsync(actor, held))!.Version);
        await commands.CancelAsync(actor, cancelled, (await queries.GetAsync(actor, cancelled))!.Version, "No longer needed");

        var cut = Render<Board>();

        cut.WaitForAssertion(() => Assert.Equal(["Awaiting discovery"], Titles(cut, "Discovery")));
        Assert.Equal(["Moved to planning"], Titles(cut, "Planning"));
        Assert.Equal(["Held build"], Titles(cut, "On hold"));
        Assert.Equal(["Cancelled build"], Titles(cut, "Done"));
        Assert.Empty(Titles(cut, "Failed"));
        Assert.Equal("1", Count(cut, "Discovery"));
        Assert.Equal("1", Count(cut, "Done"));
        Assert.Equal("0", Count(cut, "Deployment"));
        Assert.Equal(["Discovery", "Planning", "Implementation", "Testing", "Verification", "Deployment", "On hold", "Failed", "Done"],
            cut.FindAll(".board-column h2").Select(h => h.TextContent.Trim()));
        Assert.Contains("Awaiting approval", Column(cut, "Discovery").TextContent);
        Assert.Contains("On hold in Discovery", Column(cut, "On hold").TextContent);
    }

    [Fact]
    public async Task Render_BuildStartedAfterFirstRender_AppearsWithoutManualRerender()
    {
        await UseRealCoreAsync();
        var actor = await SignInNewUserAsync();
        var cut = Render<Board>();
        cut.WaitForAssertion(() => Assert.Contains("No builds yet", cut.Markup));

        await StartBuildAsync(actor, "Arrived live");

        cut.WaitForAssertion(() => Assert.Equal(["Arrived live"], Titles(cut, "Discovery")), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("No builds yet", cut.Markup);
        Assert.Equal("1", Count(cut, "Discovery"));
    }

    [Fact]
    public async Task Render_BuildOfAnotherTeam_IsNotShown()
    {
        await UseRealCoreAsync();
        var stranger = await Host.CreateUserAsync("stranger@example.com");
        await StartBuildAsync(stranger, "Someone else's build", project: "Their project");
        await SignInNewUserAsync();

        var cut = Render<Board>();

        cut.WaitForAssertion(() => Assert.Contains("No builds yet", cut.Markup));
        Assert.DoesNotContain("Someone else's build", cut.Markup);
    }

    private static IElement Column(IRenderedComponent<Board> cut, string name) => cut.Find($"section[data-column='{name}']");

    private static string[] Titles(IRenderedComponent<Board> cut, string column) =>
        Column(cut, column).QuerySelectorAll(".build-card-title").Select(a => a.TextContent.Trim()).ToArray();

    private static string Count(IRenderedComponent<Board> cut, string column) =>
        Column(cut, column).QuerySelector(".board-column-count")!.TextContent.Trim();
}
