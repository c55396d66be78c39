using AiStudio.Core.Builds;
using AiStudio.Core.Common;

namespace AiStudio.Tests.Builds;

public sealed class VerdictTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    private static PhaseRun Finish(Build build, string output = "# Output", decimal cost = 0m)
    {
        var run = build.CurrentRun!;
        var token = run.Claim(Guid.NewGuid(), Now);
        run.Complete(token, new RoleRunOutcome(Guid.NewGuid(), 1, "Offline", "aistudio-offline-1", output, 10, 20, TimeSpan.FromSeconds(1)), cost, Now);
        return run;
    }

    private static Build StartedBuild(BuildGovernance? governance = null)
    {
        var build = Build.Create(Guid.NewGuid(), "Invoices", "Send invoice reminders to customers.", "user-1", Now, governance);
        build.Start(Now);
        return build;
    }

    private static Build AtPhase(Phase phase, BuildGovernance? governance = null)
    {
        var build = StartedBuild(governance);
        while (build.State != phase.ToState())
        {
            build.Approve(Finish(build).Id, "alice", Now);
        }

        return build;
    }

    [Fact]
    public void Decide_ApproveWithEdit_KeepsModelOutputAndHandsOnTheEdit()
    {
        var build = StartedBuild();
        var run = Finish(build, "model version");

        build.Decide(run.Id, new Verdict.Approve("human version"), "alice", Now);

        Assert.Equal("model version", run.Output);
        Assert.Equal("human version", run.EditedOutput);
        Assert.Equal("human version", run.HandedOnOutput);
        Assert.Equal("alice", run.EditedBy);
        Assert.Equal(BuildState.Planning, build.State);
    }

    [Fact]
    public void Decide_ApproveWithBlankEdit_ThrowsAndChangesNothing()
    {
        var build = StartedBuild();
        var run = Finish(build);
        var version = build.Version;

        Assert.Throws<InputValidationException>(() => build.Decide(run.Id, new Verdict.Approve("   "), "alice", Now));

        Assert.Equal(PhaseRunStatus.AwaitingApproval, run.Status);
        Assert.Equal(version, build.Version);
        Assert.Equal(BuildState.Discovery, build.State);
    }

    [Fact]
    public void Decide_Reject_QueuesNextAttemptWithReasonAsFeedback()
    {
        var build = StartedBuild();
        var run = Finish(build);

        var next = build.Decide(run.Id, new Verdict.Reject("Cover refunds too."), "alice", Now);

        Assert.Equal(PhaseRunStatus.Rejected, run.Status);
        Assert.NotNull(next);
        Assert.Equal(Phase.Discovery, next.Phase);
        Assert.Equal(2, next.Attempt);
        Assert.Equal("Cover refunds too.", next.Feedback);
        Assert.Equal(1, build.ReworkCycles);
    }

    [Fact]
    public void Decide_SendBack_SupersedesLaterApprovalsAndKeepsEveryAttempt()
    {
        var build = AtPhase(Phase.Verification);
        var verification = Finish(build);
        var runsBefore = build.Runs.Count;

        var next = build.Decide(verification.Id, new Verdict.SendBack(Phase.Implementation, "The retry loop is missing."), "alice", Now);

        Assert.Equal(BuildState.Implementation, build.State);
        Assert.Equal(runsBefore + 1, build.Runs.Count);
        Assert.Equal(PhaseRunStatus.Cancelled, verification.Status);
        Assert.All(build.Runs.Where(r => r.Phase is Phase.Implementation or Phase.Testing && r != next), r => Assert.Equal(PhaseRunStatus.Superseded, r.Status));
        Assert.All(build.Runs.Where(r => r.Phase is Phase.Discovery or Phase.Planning), r => Assert.Equal(PhaseRunStatus.Approved, r.Status));
        Assert.Equal(Phase.Implementation, next!.Phase);
        Assert.Equal(2, next.Attempt);
        Assert.Equal("The retry loop is missing.", next.Feedback);
    }

    [Fact]
    public void Decide_SendBackToSameOrLaterPhase_Throws()
    {
        var build = AtPhase(Phase.Testing);
        var run = Finish(build);

        var error = Assert.Throws<DomainException>(() => build.Decide(run.Id, new Verdict.SendBack(Phase.Testing, "again"), "alice", Now));

        Assert.Contains("reject", error.Message);
        Assert.Equal(PhaseRunStatus.AwaitingApproval, run.Status);
    }

    [Fact]
    public void Hold_ThenResume_ReturnsToThePhaseAndHandsBackTheQueuedRun()
    {
        var build = AtPhase(Phase.Planning);

        build.Hold("alice", Now);
        Assert.Equal(BuildState.OnHold, build.State);
        Assert.Equal("Paused by alice.", build.StatusReason);

        var queued = build.Resume(Now);
        Assert.Equal(BuildState.Planning, build.State);
        Assert.Equal(build.CurrentRun, queued);
        Assert.Null(build.StatusReason);
    }

    [Fact]
    public void Fail_WhileOnHold_StaysHeldAndResumeShowsTheFailure()
    {
        var build = StartedBuild();
        var run = build.CurrentRun!;
        var token = run.Claim(Guid.NewGuid(), Now);
        build.Hold("alice", Now);

        build.Fail(run, token, "The model server answered 500.", Now);
        Assert.Equal(BuildState.OnHold, build.State);

        var queued = build.Resume(Now);
        Assert.Null(queued);
        Assert.Equal(BuildState.Failed, build.State);
        Assert.Equal("The model server answered 500.", build.StatusReason);

        var retry = build.Retry(Now);
        Assert.Equal(BuildState.Discovery, build.State);
        Assert.Equal(2, retry.Attempt);
    }

    [Fact]
    public void Cancel_WithoutReason_ThrowsAndWithReasonCancelsOpenRuns()
    {
        var build = StartedBuild();

        Assert.Throws<InputValidationException>(() => build.Cancel(" ", "alice", Now));
        Assert.Equal(BuildState.Discovery, build.State);

        build.Cancel("Requirements changed.", "alice", Now);
        Assert.Equal(BuildState.Cancelled, build.State);
        Assert.Equal(PhaseRunStatus.Cancelled, build.Runs.Single().Status);
        Assert.Contains("Requirements changed.", build.StatusReason);
    }

    [Theory]
    [InlineData("All good.\nVerdict: PASS", true, null, "")]
    [InlineData("Gaps found.\nVerdict: REWORK Implementation: retries are missing", false, Phase.Implementation, "retries are missing")]
    [InlineData("**Verdict: REWORK testing: no test for refunds**", false, Phase.Testing, "no test for refunds")]
    [InlineData("Verdict: REWORK: unclear", false, null, "unclear")]
    public void StructuredVerdict_Parse_ReadsTheLastVerdictLine(string output, bool pass, Phase? phase, string reasons)
    {
        var verdict = StructuredVerdict.Parse(output);

        Assert.NotNull(verdict);
        Assert.Equal(pass, verdict.Pass);
        Assert.Equal(phase, verdict.ReworkPhase);
        Assert.Equal(reasons, verdict.Reasons);
    }

    [Fact]
    public void StructuredVerdict_Parse_NoVerdictLine_ReturnsNull() =>
        Assert.Null(StructuredVerdict.Parse("A report with no verdict at all."));

    [Fact]
    public void AdvanceAutomatically_ReworkVerdict_SendsBackWithTheReasons()
    {
        var build = AtPhase(Phase.Verification, new BuildGovernance(ApprovalPolicy.Automatic));
        var run = Finish(build, "Report\nVerdict: REWORK Implementation: input validation is missing");

        var next = build.AdvanceAutomatically(run, "auto", Now);

        Assert.Equal(BuildState.Implementation, build.State);
        Assert.Equal("input validation is missing", next!.Feedback);
    }

    [Fact]
    public void AdvanceAutomatically_ReworkCapReached_HoldsForAPerson()
    {
        var build = AtPhase(Phase.Testing, new BuildGovernance(ApprovalPolicy.Automatic, ReworkCap: 1));
        var first = Finish(build, "Verdict: REWORK Testing: add edge cases");
        build.AdvanceAutomatically(first, "auto", Now);
        var second = Finish(build, "Verdict: REWORK Testing: still missing");

        var next = build.AdvanceAutomatically(second, "auto", Now);

        Assert.Null(next);
        Assert.Equal(BuildState.OnHold, build.State);
        Assert.Contains("rework cap of 1", build.StatusReason);
        Assert.Equal(PhaseRunStatus.AwaitingApproval, second.Status);
    }

    [Fact]
    public void AdvanceAutomatically_BudgetSpent_HoldsForAPerson()
    {
        var build = StartedBuild(new BuildGovernance(ApprovalPolicy.Automatic, CostBudget: 0.01m));
        var run = Finish(build, cost: 0.02m);

        var next = build.AdvanceAutomatically(run, "auto", Now);

        Assert.Null(next);
        Assert.Equal(BuildState.OnHold, build.State);
        Assert.Contains("budget", build.StatusReason);
    }

    [Fact]
    public void AdvanceAutomatically_ManualPolicy_DoesNothing()
    {
        var build = StartedBuild();
        var run = Finish(build);

        Assert.Null(build.AdvanceAutomatically(run, "auto", Now));
        Assert.Equal(PhaseRunStatus.AwaitingApproval, run.Status);
        Assert.Equal(BuildState.Discovery, build.State);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(21)]
    public void Create_ReworkCapOutOfRange_Throws(int cap) =>
        Assert.Throws<DomainException>(() => Build.Create(Guid.NewGuid(), "t", "requirements text here", "u", Now, new BuildGovernance(ReworkCap: cap)));
}
