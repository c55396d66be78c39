using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Projects;
using AiStudio.Tests.Support;
using AiStudio.Web.Components.Pages.Builds.Components;
using AngleSharp.Dom;
using Bunit;
using MudBlazor;

namespace AiStudio.Tests.Builds.Components;

/// <summary>The reviewer's verdict bar on its own, over the real Core services and worker.</summary>
public sealed class DecisionBarTests : ComponentTestBase
{
    private Actor _actor = null!;
    private IRenderedComponent<MudPopoverProvider>? _popovers;

    private IBuildQueries Queries => Host.Get<IBuildQueries>();

    public override async Task InitializeAsync()
    {
        await UseRealCoreAsync();
        _actor = await SignInNewUserAsync();
    }

    [Fact]
    public async Task RejectAndTryAgain_EmptyReason_ShowsWriteAReasonAndChangesNothing()
    {
        var details = await AwaitingBuildAsync();
        var cut = RenderBar(details);

        await ClickAsync(cut, "Reject");
        await ClickAsync(cut, "Reject and try again");

        cut.WaitForAssertion(() => Assert.Contains("Write a reason", cut.Find("[role=alert]").TextContent));
        var after = await Queries.GetAsync(_actor, details.Id);
        Assert.Equal(details.Version, after!.Version);
        Assert.Equal(PhaseRunStatus.AwaitingApproval, Assert.Single(after.Runs).Status);
    }

    [Fact]
    public async Task RejectAndTryAgain_WithReason_QueuesAttemptTwoWithTheReason()
    {
        var details = await AwaitingBuildAsync();
        var cut = RenderBar(details);

        await ClickAsync(cut, "Reject");
        await cut.InvokeAsync(() => TextBox(cut, "Reason for rejecting").Input("Cover reminders by SMS as well."));
        await ClickAsync(cut, "Reject and try again");

        var runs = (await Queries.GetAsync(_actor, details.Id))!.Runs;
        Assert.Equal([1, 2], runs.Select(r => r.Attempt));
        Assert.Equal(PhaseRunStatus.Rejected, runs[0].Status);
        Assert.Equal("Cover reminders by SMS as well.", runs[1].Feedback);
        Assert.Empty(cut.FindAll("[role=alert]"));
    }

    [Fact]
    public async Task SendBack_AtTesting_ListsOnlyEarlierPhasesAndSendsBackToTheChosenOne()
    {
        var details = await AwaitingBuildAsync(Phase.Testing);
        _popovers = Render<MudPopoverProvider>();
        var cut = RenderBar(details);

        await ClickAsync(cut, "Send back");
        await cut.InvokeAsync(() => cut.Find(".mud-select .mud-input-control").MouseDown());
        cut.WaitForAssertion(() => Assert.NotEmpty(SelectItems()));

        Assert.Equal(["Discovery (Q Assistant)", "Planning (Q Assistant)", "Implementation (Code Writer)"], SelectItems().Select(i => i.TextContent.Trim()));
        await cut.InvokeAsync(() => SelectItems().Single(i => i.TextContent.Contains("Planning")).Click());
        await cut.InvokeAsync(() => TextBox(cut, "Reason for sending back").Input("Plan the opt-out screen for finance staff."));
        await ClickAsync(cut, "Send back to Planning");

        var after = await Queries.GetAsync(_actor, details.Id);
        Assert.Equal(BuildState.Planning, after!.State);
        var planning = after.Runs.Where(r => r.Phase == Phase.Planning).ToList();
        Assert.Equal([PhaseRunStatus.Superseded], planning.Take(1).Select(r => r.Status));
        Assert.Equal((2, "Plan the opt-out screen for finance staff."), (planning[1].Attempt, planning[1].Feedback));
    }

    [Fact]
    public async Task EditAndApprove_ChangedText_IsPrefilledWithTheModelOutputAndStoresTheEdit()
    {
        var details = await AwaitingBuildAsync();
        var modelOutput = details.CurrentRun!.Output!;
        var cut = RenderBar(details);

        await ClickAsync(cut, "Edit and approve");

        Assert.Equal(modelOutput, TextBox(cut, "Your version of the output").TextContent);
        const string edited = "## Requirements\n\n1. One reminder, seven days before the due date.";
        await cut.InvokeAsync(() => TextBox(cut, "Your version of the output").Input(edited));
        await ClickAsync(cut, "Approve my version");

        var after = await Queries.GetAsync(_actor, details.Id);
        var discovery = after!.Runs.Single(r => r.Phase == Phase.Discovery);
        Assert.Equal(BuildState.Planning, after.State);
        Assert.Equal((PhaseRunStatus.Approved, modelOutput, edited), (discovery.Status, discovery.Output, discovery.EditedOutput));
    }

    [Fact]
    public async Task Render_ViewerWhoCannotDecide_ShowsNoButtons()
    {
        var owned = await AwaitingBuildAsync();
        var viewer = await Host.CreateUserAsync("viewer@example.com");
        await using (var db = await Host.CreateDbContextAsync())
        {
            db.ProjectMembers.Add(new ProjectMember(owned.ProjectId, viewer.UserId, ProjectRole.Viewer, DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }

        var seen = (await Queries.GetAsync(viewer, owned.Id))!;
        var cut = Render<DecisionBar>(p => p.Add(c => c.Details, seen).Add(c => c.Run, seen.CurrentRun!).Add(c => c.Actor, viewer));

        Assert.False(seen.CanDecide);
        Assert.Empty(cut.FindAll("button"));
        Assert.Contains("waiting for approval by an editor of Billing", cut.Markup);
    }

    private async Task<BuildDetails> AwaitingBuildAsync(Phase phase = Phase.Discovery)
    {
        var buildId = await StartBuildAsync(_actor);
        var details = await WaitForCurrentRunAsync(_actor, buildId);
        while (details.CurrentPhase != phase)
        {
            await Host.Get<IBuildCommands>().ApproveAsync(_actor, buildId, details.CurrentRun!.Id, details.Version);
            details = await WaitForCurrentRunAsync(_actor, buildId);
        }

        return details;
    }

    private IRenderedComponent<DecisionBar> RenderBar(BuildDetails details) =>
        Render<DecisionBar>(p => p.Add(c => c.Details, details).Add(c => c.Run, details.CurrentRun!).Add(c => c.Actor, _actor));

    private IReadOnlyList<IElement> SelectItems() => [.. _popovers!.FindAll(".mud-popover-open .mud-list-item")];

    /// <summary>Clicks the button inside the renderer and waits for its handler, so that a re-render cannot drop it.</summary>
    private static Task ClickAsync(IRenderedComponent<DecisionBar> cut, string name) =>
        cut.InvokeAsync(() => cut.FindAll("button").Single(b => b.TextContent.Trim() == name).ClickAsync(new()));

    private static IElement TextBox(IRenderedComponent<DecisionBar> cut, string label) =>
        cut.FindAll(".mud-input-control").Single(c => c.QuerySelector("label")?.TextContent.Trim() == label).QuerySelector("textarea, input")!;
}
