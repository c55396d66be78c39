using AiStudio.Core.Builds;
using AiStudio.Core.Common;

namespace AiStudio.Tests.Projects;

/// <summary>Separation of duties and multiple approvals, as rules of the build aggregate.</summary>
public sealed class ApprovalRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
    private static readonly Approver Starter = new("user-1", "starter@example.com");
    private static readonly Approver Alice = new("user-2", "alice@example.com");
    private static readonly Approver Bob = new("user-3", "bob@example.com");
    private static readonly ApprovalRules Separate = new(RequireSeparateApprover: true);
    private static readonly ApprovalRules TwoApprovals = new(RequiredApprovals: 2);

    [Theory]
    [InlineData(null)]
    [InlineData("my own version")]
    public void Approve_StarterWhenSeparateApproverRequired_ThrowsAndRecordsNothing(string? edited)
    {
        var (build, run) = AwaitingDiscovery();
        var version = build.Version;

        var error = Assert.Throws<DomainException>(() => build.Decide(run.Id, new Verdict.Approve(edited), Starter, Separate, Now));

        Assert.Contains("You started this build", error.Message);
        Assert.Equal((BuildState.Discovery, PhaseRunStatus.AwaitingApproval, version), (build.State, run.Status, build.Version));
        Assert.Empty(run.Approvals);
        Assert.Null(run.EditedOutput);
        Assert.Equal(error.Message, build.ApprovalRefusal(Starter.UserId, Separate));
    }

    [Fact]
    public void Approve_AnotherPersonWhenSeparateApproverRequired_Advances()
    {
        var (build, run) = AwaitingDiscovery();

        var next = build.Decide(run.Id, new Verdict.Approve(), Alice, Separate, Now);

        Assert.Equal((BuildState.Planning, PhaseRunStatus.Approved, Phase.Planning), (build.State, run.Status, next!.Phase));
        Assert.Equal(Alice.Name, Assert.Single(run.Approvals).ApproverName);
        Assert.Null(build.ApprovalRefusal(Alice.UserId, Separate));
    }

    [Fact]
    public void RejectAndSendBack_StarterWhenSeparateApproverRequired_AreAllowed()
    {
        var (build, run) = AwaitingDiscovery();

        var retry = build.Decide(run.Id, new Verdict.Reject("Say who receives the reminders."), Starter, Separate, Now)!;
        Complete(retry);
        build.Decide(retry.Id, new Verdict.Approve(), Alice, Separate, Now);
        var planning = Complete(build.CurrentRun!);
        build.Decide(planning.Id, new Verdict.SendBack(Phase.Discovery, "The requirements miss the opt-out."), Starter, Separate, Now);

        Assert.Equal(PhaseRunStatus.Rejected, run.Status);
        Assert.Equal((BuildState.Discovery, 3), (build.State, build.CurrentRun!.Attempt));
    }

    [Fact]
    public void Approve_FirstOfTwo_KeepsTheAttemptAwaitingAndRecordsWhoAndWhen()
    {
        var (build, run) = AwaitingDiscovery();
        var version = build.Version;

        var next = build.Decide(run.Id, new Verdict.Approve(), Alice, TwoApprovals, Now.AddMinutes(5));

        Assert.Null(next);
        Assert.Equal((BuildState.Discovery, PhaseRunStatus.AwaitingApproval), (build.State, run.Status));
        var approval = Assert.Single(run.Approvals);
        Assert.Equal((Alice.UserId, Alice.Name, Now.AddMinutes(5), false), (approval.ApproverId, approval.ApproverName, approval.ApprovedAt, approval.Edited));
        Assert.True(build.Version > version, "A partial approval must bump the version, so that a concurrent decision notices it.");
        Assert.Null(run.DecidedBy);
    }

    [Fact]
    public void Approve_SamePersonTwice_ThrowsWithMessageAndRecordsOnce()
    {
        var (build, run) = AwaitingDiscovery();
        build.Decide(run.Id, new Verdict.Approve(), Alice, TwoApprovals, Now);

        var error = Assert.Throws<DomainException>(() => build.Decide(run.Id, new Verdict.Approve(), Alice, TwoApprovals, Now));

        Assert.Equal("You have already approved attempt 1 of Discovery; it needs 1 more approval from someone else.", error.Message);
        Assert.Single(run.Approvals);
        Assert.Equal(PhaseRunStatus.AwaitingApproval, run.Status);
    }

    [Fact]
    public void Approve_SecondDistinctApprover_AdvancesThePhase()
    {
        var (build, run) = AwaitingDiscovery();
        build.Decide(run.Id, new Verdict.Approve(), Alice, TwoApprovals, Now);

        var next = build.Decide(run.Id, new Verdict.Approve(), Bob, TwoApprovals, Now);

        Assert.Equal((BuildState.Planning, PhaseRunStatus.Approved, Bob.Name), (build.State, run.Status, run.DecidedBy));
        Assert.Equal([Alice.Name, Bob.Name], run.Approvals.Select(a => a.ApproverName));
        Assert.Equal(Phase.Planning, next!.Phase);
    }

    [Fact]
    public void Reject_AfterPartialApproval_EndsTheRoundAndTheNewAttemptStartsAtZero()
    {
        var (build, run) = AwaitingDiscovery();
        build.Decide(run.Id, new Verdict.Approve(), Alice, TwoApprovals, Now);

        var retry = build.Decide(run.Id, new Verdict.Reject("Too vague."), Bob, TwoApprovals, Now)!;

        Assert.Equal(PhaseRunStatus.Rejected, run.Status);
        Assert.Single(run.Approvals);
        Assert.Empty(retry.Approvals);
        Complete(retry);
        Assert.Null(build.Decide(retry.Id, new Verdict.Approve(), Alice, TwoApprovals, Now));
    }

    [Fact]
    public void EditAndApprove_AfterAnotherApproval_EarlierApprovalNoLongerCounts()
    {
        var (build, run) = AwaitingDiscovery();
        build.Decide(run.Id, new Verdict.Approve(), Alice, TwoApprovals, Now);

        var next = build.Decide(run.Id, new Verdict.Approve("Bob's better version"), Bob, TwoApprovals, Now);

        Assert.Null(next);
        Assert.Equal(("Bob's better version", Bob.Name), (run.HandedOnOutput, run.EditedBy));
        var approval = Assert.Single(run.Approvals);
        Assert.Equal((Bob.Name, true), (approval.ApproverName, approval.Edited));

        build.Decide(run.Id, new Verdict.Approve(), Alice, TwoApprovals, Now);

        Assert.Equal(BuildState.Planning, build.State);
        Assert.Equal("Bob's better version", run.HandedOnOutput);
    }

    [Fact]
    public void Approve_LegacyOverload_OneApprovalAdvancesAsBefore()
    {
        var (build, run) = AwaitingDiscovery();

        build.Approve(run.Id, "reviewer", Now);

        Assert.Equal((BuildState.Planning, "reviewer"), (build.State, run.DecidedBy));
    }

    [Fact]
    public void AdvanceAutomatically_ProjectNeedsTwoApprovals_AdvancesWithoutRecordingPeople()
    {
        var build = Build.Create(Guid.NewGuid(), "Invoices", "Send invoice reminders to customers.", Starter.UserId, Now,
            new BuildGovernance(ApprovalPolicy.Automatic));
        build.Start(Now);
        var run = Complete(build.CurrentRun!);

        var next = build.AdvanceAutomatically(run, "Automatic policy", Now);

        Assert.Equal((BuildState.Planning, PhaseRunStatus.Approved, Phase.Planning), (build.State, run.Status, next!.Phase));
        Assert.Empty(run.Approvals);
    }

    private static (Build Build, PhaseRun Run) AwaitingDiscovery()
    {
        var build = Build.Create(Guid.NewGuid(), "Invoices", "Send invoice reminders to customers.", Starter.UserId, Now);
        build.Start(Now);
        return (build, Complete(build.CurrentRun!));
    }

    private static PhaseRun Complete(PhaseRun run)
    {
        var token = run.Claim(Guid.NewGuid(), Now);
        run.Complete(token, new RoleRunOutcome(Guid.NewGuid(), 1, "Offline", "aistudio-offline-1", $"# {run.Phase}\n\nModel text.", 10, 20, TimeSpan.FromSeconds(1)), 0m, Now);
        return run;
    }
}
