using AiStudio.Core.Builds;
using AiStudio.Tests.Support;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using BuildCardComponent = AiStudio.Web.Components.Pages.Builds.Components.BuildCard;

namespace AiStudio.Tests.Builds.Components;

public sealed class BuildCardTests : ComponentTestBase
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider _clock = new(Now);

    public BuildCardTests() => Services.AddSingleton<TimeProvider>(_clock);

    [Fact]
    public void Render_BuildAwaitingApproval_ShowsLinkProjectStateAttemptAndAge()
    {
        var card = Card(BuildState.Testing, PhaseRunStatus.AwaitingApproval, attempt: 2, createdAt: Now.AddMinutes(-5));

        var cut = Render<BuildCardComponent>(p => p.Add(c => c.Build, card));

        var link = cut.Find("a");
        Assert.Equal("Invoice reminders", link.TextContent.Trim());
        Assert.Equal($"/builds/{card.Id}", link.GetAttribute("href"));
        Assert.Equal("Billing", cut.Find(".build-card-project").TextContent.Trim());
        Assert.Equal("Awaiting approval", cut.Find(".build-card-status").TextContent.Trim());
        Assert.Equal("Attempt 2", cut.Find(".build-card-attempt").TextContent.Trim());
        Assert.Equal("5 min ago", cut.Find(".build-card-age").TextContent.Trim());
    }

    [Theory]
    [InlineData(20, "just now")]
    [InlineData(5 * 60, "5 min ago")]
    [InlineData(2 * 3600 + 10 * 60, "2 h ago")]
    [InlineData(3 * 86400 + 3600, "3 d ago")]
    public void Render_ClockMovedOn_ShowsAgeFromInjectedClock(int secondsLater, string expected)
    {
        var card = Card(BuildState.Discovery, PhaseRunStatus.Running, attempt: 1, createdAt: Now);
        _clock.Now = Now.AddSeconds(secondsLater);

        var cut = Render<BuildCardComponent>(p => p.Add(c => c.Build, card));

        Assert.Equal(expected, cut.Find(".build-card-age").TextContent.Trim());
    }

    [Theory]
    [InlineData(BuildState.Discovery, PhaseRunStatus.Queued, "Queued")]
    [InlineData(BuildState.Planning, PhaseRunStatus.Running, "Running")]
    [InlineData(BuildState.Complete, PhaseRunStatus.Approved, "Complete")]
    [InlineData(BuildState.Cancelled, PhaseRunStatus.Cancelled, "Cancelled")]
    [InlineData(BuildState.OnHold, PhaseRunStatus.AwaitingApproval, "On hold in Testing")]
    [InlineData(BuildState.Failed, PhaseRunStatus.Failed, "Failed in Testing")]
    public void Render_BuildState_ShowsStateText(BuildState state, PhaseRunStatus runStatus, string expected)
    {
        var card = Card(state, runStatus, attempt: 1, createdAt: Now) with { CurrentPhase = Phase.Testing };

        var cut = Render<BuildCardComponent>(p => p.Add(c => c.Build, card));

        Assert.Equal(expected, cut.Find(".build-card-status").TextContent.Trim());
    }

    private static BuildCard Card(BuildState state, PhaseRunStatus runStatus, int attempt, DateTimeOffset createdAt) =>
        new(Guid.NewGuid(), "Invoice reminders", "Billing", state, state.AsPhase(), attempt, runStatus, createdAt, createdAt);
}
