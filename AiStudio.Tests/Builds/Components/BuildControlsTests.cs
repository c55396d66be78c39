using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Tests.Support;
using AiStudio.Web.Components.Pages.Builds.Components;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Builds.Components;

/// <summary>Pause, resume and cancel on their own, over the real Core services; the test re-reads the build as the page does.</summary>
public sealed class BuildControlsTests : ComponentTestBase
{
    private readonly TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Actor _actor = null!;

    private IBuildQueries Queries => Host.Get<IBuildQueries>();

    public override async Task InitializeAsync()
    {
        await UseRealCoreAsync();
        _actor = await SignInNewUserAsync();
    }

    [Fact]
    public async Task Pause_Clicked_HoldsTheBuildAndShowsResume()
    {
        var details = await AwaitingBuildAsync();
        var cut = RenderControls(details);
        Assert.Empty(Buttons(cut, "Resume"));

        await ClickAsync(cut, "Pause");
        await _changed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var after = (await Queries.GetAsync(_actor, details.Id))!;
        cut.Render(p => p.Add(c => c.Details, after));

        Assert.Equal(BuildState.OnHold, after.State);
        Assert.Single(Buttons(cut, "Resume"));
        Assert.Empty(Buttons(cut, "Pause"));
        Assert.Empty(cut.FindAll("[role=alert]"));
    }

    [Fact]
    public async Task CancelThisBuild_BlankReason_ShowsTheServicesMessageAndChangesNothing()
    {
        var details = await AwaitingBuildAsync();
        var cut = RenderControls(details);

        await ClickAsync(cut, "Cancel build");
        var reason = cut.FindAll(".mud-input-control").Single(c => c.QuerySelector("label")?.TextContent.Trim() == "Reason for cancelling");
        await cut.InvokeAsync(() => reason.QuerySelector("textarea")!.Input("   "));
        await ClickAsync(cut, "Cancel this build");

        cut.WaitForAssertion(() => Assert.Equal("Give a reason, so that the role knows what to change.", cut.Find("[role=alert]").TextContent.Trim()));
        var after = (await Queries.GetAsync(_actor, details.Id))!;
        Assert.Equal((BuildState.Discovery, details.Version, PhaseRunStatus.AwaitingApproval), (after.State, after.Version, after.CurrentRun!.Status));
        await using var db = await Host.CreateDbContextAsync();
        Assert.False(await db.AuditEvents.AnyAsync(e => e.BuildId == details.Id && e.Action == AuditActions.BuildCancelled));
    }

    private async Task<BuildDetails> AwaitingBuildAsync() => await WaitForCurrentRunAsync(_actor, await StartBuildAsync(_actor));

    private IRenderedComponent<BuildControls> RenderControls(BuildDetails details) =>
        Render<BuildControls>(p => p
            .Add(c => c.Details, details)
            .Add(c => c.Actor, _actor)
            .Add(c => c.OnChanged, EventCallback.Factory.Create(this, () => _changed.TrySetResult())));

    private static IEnumerable<IElement> Buttons(IRenderedComponent<BuildControls> cut, string name) =>
        cut.FindAll("button").Where(b => b.TextContent.Trim() == name);

    /// <summary>Clicks the button inside the renderer and waits for its handler, so that a re-render cannot drop it.</summary>
    private static Task ClickAsync(IRenderedComponent<BuildControls> cut, string name) =>
        cut.InvokeAsync(() => Buttons(cut, name).Single().ClickAsync(new()));
}
