using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Execution;
using AiStudio.Core.Projects;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Projects;

/// <summary>A project's approval rules applied by the build commands, against a real database.</summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class SeparationOfDutiesTests(ManualExecutionFixture fixture) : IClassFixture<ManualExecutionFixture>
{
    private const string Requirements = "Customers receive an email reminder seven days before an invoice is due.";

    private TestAppHost App => fixture.Host;
    private IProjectService Projects => App.Get<IProjectService>();
    private IBuildCommands Commands => App.Get<IBuildCommands>();
    private IBuildQueries Queries => App.Get<IBuildQueries>();

    [Fact]
    public async Task ApproveAsync_StarterWhenSeparateApproverRequired_ThrowsWithReasonAndChangesNothing()
    {
        var (starter, editor, _, buildId) = await AwaitingBuildAsync(new ApprovalRules(RequireSeparateApprover: true));
        var before = await Queries.GetAsync(starter, buildId);
        var audit = await AuditCountAsync(buildId);

        var error = await Assert.ThrowsAsync<DomainException>(() => Commands.ApproveAsync(starter, buildId, before!.CurrentRun!.Id, before.Version));

        Assert.Equal("You started this build, and its project needs someone else to approve its phases. You can still reject it or send it back.", error.Message);
        var after = await Queries.GetAsync(starter, buildId);
        Assert.Equal((BuildState.Discovery, before!.Version, PhaseRunStatus.AwaitingApproval), (after!.State, after.Version, after.CurrentRun!.Status));
        Assert.Equal(audit, await AuditCountAsync(buildId));
        Assert.Equal((false, error.Message), (after.Approval!.CanApprove, after.Approval.CannotApproveReason));
        Assert.True(after.CanDecide, "The starter may still reject, send back, pause or cancel.");
        Assert.True((await Queries.GetAsync(editor, buildId))!.Approval!.CanApprove);
    }

    [Fact]
    public async Task ApproveAsync_AnotherEditorWhenSeparateApproverRequired_Advances()
    {
        var (_, editor, _, buildId) = await AwaitingBuildAsync(new ApprovalRules(RequireSeparateApprover: true));
        var details = await Queries.GetAsync(editor, buildId);

        await Commands.ApproveAsync(editor, buildId, details!.CurrentRun!.Id, details.Version);

        Assert.Equal(BuildState.Planning, (await Queries.GetAsync(editor, buildId))!.State);
        Assert.Equal([AuditActions.PhaseApproved], await DecisionAuditAsync(buildId));
    }

    [Fact]
    public async Task RejectAsync_StarterWhenSeparateApproverRequired_IsAllowed()
    {
        var (starter, _, _, buildId) = await AwaitingBuildAsync(new ApprovalRules(RequireSeparateApprover: true));
        var details = await Queries.GetAsync(starter, buildId);

        await Commands.DecideAsync(starter, buildId, details!.CurrentRun!.Id, details.Version, new Verdict.Reject("Name the reminder's sender."));

        var after = await Queries.GetAsync(starter, buildId);
        Assert.Equal((Phase.Discovery, 2, PhaseRunStatus.Queued), (after!.CurrentPhase!.Value, after.CurrentRun!.Attempt, after.CurrentRun.Status));
    }

    [Fact]
    public async Task ApproveAsync_TwoApprovalsRequired_FirstIsPartialSameTwiceRefusedSecondDistinctAdvances()
    {
        var (starter, editor, owner, buildId) = await AwaitingBuildAsync(new ApprovalRules(RequiredApprovals: 2));
        var start = await Queries.GetAsync(starter, buildId);
        var runId = start!.CurrentRun!.Id;

        await Commands.ApproveAsync(editor, buildId, runId, start.Version);

        var partial = await Queries.GetAsync(editor, buildId);
        Assert.Equal((BuildState.Discovery, PhaseRunStatus.AwaitingApproval), (partial!.State, partial.CurrentRun!.Status));
        Assert.Equal("1 of 2 approvals", partial.Approval!.Summary);
        Assert.Equal([editor.DisplayName], partial.Approval.Approvals.Select(a => a.ApproverName));
        Assert.False(partial.Approval.CanApprove);
        Assert.True(partial.Version > start.Version);
        Assert.Equal([PhaseRunApproval.RecordedAction], await DecisionAuditAsync(buildId));
        Assert.Contains("1 of 2 approvals", (await LastAuditAsync(buildId)).Detail);

        var twice = await Assert.ThrowsAsync<DomainException>(() => Commands.ApproveAsync(editor, buildId, runId, partial.Version));
        Assert.Equal("You have already approved attempt 1 of Discovery; it needs 1 more approval from someone else.", twice.Message);
        Assert.Equal(partial.Approval.CannotApproveReason, twice.Message);
        Assert.Equal(partial.Version, (await Queries.GetAsync(editor, buildId))!.Version);

        await Commands.ApproveAsync(owner, buildId, runId, partial.Version);

        var advanced = await Queries.GetAsync(owner, buildId);
        Assert.Equal(BuildState.Planning, advanced!.State);
        var approved = advanced.Runs.Single(r => r.Id == runId);
        Assert.Equal((PhaseRunStatus.Approved, owner.DisplayName), (approved.Status, approved.DecidedBy));
        Assert.Equal([editor.DisplayName, owner.DisplayName], approved.Approvals!.Select(a => a.ApproverName));
        Assert.Equal([PhaseRunApproval.RecordedAction, AuditActions.PhaseApproved], await DecisionAuditAsync(buildId));
        Assert.Contains("2 of 2 approvals", (await LastAuditAsync(buildId)).Detail);
        await using var db = await App.CreateDbContextAsync();
        Assert.Equal(2, await db.PhaseRunApprovals.CountAsync(a => a.PhaseRunId == runId));
    }

    [Fact]
    public async Task SendBackAsync_AfterPartialApproval_EndsTheRound()
    {
        var (starter, editor, owner, buildId) = await AwaitingBuildAsync(new ApprovalRules(RequiredApprovals: 2));
        await ApproveCurrentAsync(editor, buildId);
        await ApproveCurrentAsync(owner, buildId);
        await ExecuteCurrentAsync(starter, buildId);
        await ApproveCurrentAsync(editor, buildId);
        var planning = await Queries.GetAsync(owner, buildId);

        await Commands.DecideAsync(owner, buildId, planning!.CurrentRun!.Id, planning.Version, new Verdict.SendBack(Phase.Discovery, "Start over."));

        var after = await Queries.GetAsync(owner, buildId);
        Assert.Equal((BuildState.Discovery, 2), (after!.State, after.CurrentRun!.Attempt));
        Assert.Empty(after.CurrentRun.Approvals!);
        Assert.Single(after.Runs.Single(r => r.Id == planning.CurrentRun.Id).Approvals!);
    }

    private async Task ApproveCurrentAsync(Actor actor, Guid buildId)
    {
        var details = await Queries.GetAsync(actor, buildId);
        await Commands.ApproveAsync(actor, buildId, details!.CurrentRun!.Id, details.Version);
    }

    private async Task ExecuteCurrentAsync(Actor actor, Guid buildId)
    {
        var details = await Queries.GetAsync(actor, buildId);
        await App.Get<PhaseRunExecutor>().ExecuteAsync(details!.CurrentRun!.Id, CancellationToken.None);
    }

    /// <summary>A project with the rules and three members (the starter an editor), and a build whose Discovery awaits approval.</summary>
    private async Task<(Actor Starter, Actor Editor, Actor Owner, Guid BuildId)> AwaitingBuildAsync(ApprovalRules rules)
    {
        var owner = await NewUserAsync();
        var starter = await NewUserAsync();
        var editor = await NewUserAsync();
        var projectId = await Projects.CreateAsync(owner, "Billing");
        foreach (var member in new[] { starter, editor })
        {
            await Projects.AddMemberAsync(owner, projectId, (await Projects.GetAsync(owner, projectId))!.Version, member.DisplayName, ProjectRole.Editor);
        }

        await Projects.UpdateSettingsAsync(owner, projectId, (await Projects.GetAsync(owner, projectId))!.Version, rules);
        var buildId = await Commands.StartAsync(starter, new NewBuildRequest("", "Invoice reminders", Requirements, ProjectId: projectId));
        await ExecuteCurrentAsync(starter, buildId);
        return (starter, editor, owner, buildId);
    }

    private async Task<Actor> NewUserAsync() => await App.CreateUserAsync($"{Guid.NewGuid():N}@example.com");

    private async Task<int> AuditCountAsync(Guid buildId)
    {
        await using var db = await App.CreateDbContextAsync();
        return await db.AuditEvents.CountAsync(e => e.BuildId == buildId);
    }

    private async Task<List<string>> DecisionAuditAsync(Guid buildId)
    {
        await using var db = await App.CreateDbContextAsync();
        return await db.AuditEvents.Where(e => e.BuildId == buildId && e.Action.StartsWith("phase."))
            .OrderBy(e => e.Id).Select(e => e.Action).ToListAsync();
    }

    private async Task<AuditEvent> LastAuditAsync(Guid buildId)
    {
        await using var db = await App.CreateDbContextAsync();
        return await db.AuditEvents.Where(e => e.BuildId == buildId).OrderByDescending(e => e.Id).FirstAsync();
    }
}
