using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Tests.Support;

namespace AiStudio.Tests.Builds;

public sealed class PipelineStateMachineTests
{
    private static readonly BuildState[] AllStates = Enum.GetValues<BuildState>();
    private static readonly PipelineTrigger[] AllTriggers = Enum.GetValues<PipelineTrigger>();

    // The pipeline's forward order, written out here rather than derived from Phase, so the table is checked against it.
    private static readonly BuildState[] ForwardOrder =
    [
        BuildState.Created, BuildState.Discovery, BuildState.Planning, BuildState.Implementation,
        BuildState.Testing, BuildState.Verification, BuildState.Deployment, BuildState.Complete,
    ];

    public static TheoryData<BuildState, PipelineTrigger, BuildState> AllowedTransitions()
    {
        var data = new TheoryData<BuildState, PipelineTrigger, BuildState>();
        foreach (var t in PipelineStateMachine.Transitions)
        {
            data.Add(t.From, t.Trigger, t.To);
        }

        return data;
    }

    public static TheoryData<BuildState, PipelineTrigger> TriggersWithNoRow()
    {
        var data = new TheoryData<BuildState, PipelineTrigger>();
        foreach (var state in AllStates)
        {
            foreach (var trigger in AllTriggers.Where(tr => !PipelineStateMachine.From(state).Any(t => t.Trigger == tr)))
            {
                // A run that fails while its build is held is recorded without a move (see Build.Fail); not refused.
                if ((state, trigger) != (BuildState.OnHold, PipelineTrigger.Fail))
                {
                    data.Add(state, trigger);
                }
            }
        }

        return data;
    }

    [Fact]
    public void Table_Counts_ElevenStatesAndFiftyFiveDistinctTransitions()
    {
        Assert.Equal(11, AllStates.Length);
        Assert.Equal(8, AllTriggers.Length);
        Assert.Equal(55, PipelineStateMachine.Transitions.Count);
        Assert.Equal(55, PipelineStateMachine.Transitions.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(AllowedTransitions))]
    public void Transition_Allowed_IsDrivenByTheDomainMethod(BuildState from, PipelineTrigger trigger, BuildState to)
    {
        // A held or failed build resumes or retries into the phase it left; use the target phase to get there.
        var build = TestBuilds.InState(from, to.AsPhase() ?? Phase.Discovery);
        Assert.Equal(from, build.State);
        var version = build.Version;

        Drive(build, trigger, to);

        Assert.Equal(to, build.State);
        Assert.True(build.Version > version, "every move bumps the concurrency version");
    }

    [Fact]
    public void IsAllowed_EveryCombination_MatchesThePipelineRules()
    {
        var combinations = (
            from f in AllStates
            from t in AllTriggers
            from s in AllStates
            select (From: f, Trigger: t, To: s)).ToList();

        var wronglyAllowed = combinations.Where(c => !ByTheRules(c.From, c.Trigger, c.To) && PipelineStateMachine.IsAllowed(c.From, c.Trigger, c.To)).ToList();
        var wronglyRefused = combinations.Where(c => ByTheRules(c.From, c.Trigger, c.To) && !PipelineStateMachine.IsAllowed(c.From, c.Trigger, c.To)).ToList();

        Assert.Equal(11 * 8 * 11, combinations.Count);
        Assert.Empty(wronglyAllowed);
        Assert.Empty(wronglyRefused);
        Assert.Equal(combinations.Count - 55, combinations.Count(c => !PipelineStateMachine.IsAllowed(c.From, c.Trigger, c.To)));
    }

    [Theory]
    [MemberData(nameof(TriggersWithNoRow))]
    public void DomainMethod_TriggerWithNoRowFromState_ThrowsAndChangesNothing(BuildState state, PipelineTrigger trigger)
    {
        var build = TestBuilds.InState(state);
        var version = build.Version;
        var suspended = build.SuspendedPhase;
        var runs = build.Runs.Select(r => (r.Id, r.Status)).ToList();

        var error = Assert.Throws<InvalidTransitionException>(() => Drive(build, trigger, to: null));

        Assert.Equal(state, error.From);
        Assert.Equal(trigger, error.Trigger);
        Assert.Equal(state, build.State);
        Assert.Equal(version, build.Version);
        Assert.Equal(suspended, build.SuspendedPhase);
        Assert.Equal(runs, build.Runs.Select(r => (r.Id, r.Status)).ToList());
    }

    [Fact]
    public void Approve_RunNotAwaitingApproval_ThrowsAndChangesNothing()
    {
        var build = TestBuilds.InState(BuildState.Discovery);
        var run = build.CurrentRun!;
        var version = build.Version;

        var error = Assert.Throws<DomainException>(() => build.Approve(run.Id, TestBuilds.Reviewer, TestBuilds.Now));

        Assert.IsNotType<InvalidTransitionException>(error);
        Assert.Equal(BuildState.Discovery, build.State);
        Assert.Equal(version, build.Version);
        Assert.Equal(PhaseRunStatus.Queued, run.Status);
        Assert.Single(build.Runs);
    }

    [Fact]
    public void Approve_EarlierAttempt_ThrowsDomainException()
    {
        var build = TestBuilds.InState(BuildState.Discovery);
        var first = TestBuilds.CompleteCurrent(build);
        build.Reject(first.Id, "List the file's columns.", TestBuilds.Reviewer, TestBuilds.Now);

        Assert.Throws<DomainException>(() => build.Approve(first.Id, TestBuilds.Reviewer, TestBuilds.Now));
        Assert.Equal(BuildState.Discovery, build.State);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Reject_WithoutReason_ThrowsAndChangesNothing(string reason)
    {
        var build = TestBuilds.InState(BuildState.Discovery);
        var run = TestBuilds.CompleteCurrent(build);
        var version = build.Version;

        Assert.Throws<InputValidationException>(() => build.Reject(run.Id, reason, TestBuilds.Reviewer, TestBuilds.Now));

        Assert.Equal(PhaseRunStatus.AwaitingApproval, run.Status);
        Assert.Equal(version, build.Version);
        Assert.Single(build.Runs);
    }

    [Fact]
    public void Reject_WithReason_QueuesNextAttemptOfSamePhaseWithFeedback()
    {
        var build = TestBuilds.InState(BuildState.Planning);
        var run = TestBuilds.CompleteCurrent(build);

        var next = build.Reject(run.Id, "  Split task T2 in two.  ", TestBuilds.Reviewer, TestBuilds.Now);

        Assert.Equal(BuildState.Planning, build.State);
        Assert.Equal(PhaseRunStatus.Rejected, run.Status);
        Assert.Equal((Phase.Planning, 2, PhaseRunStatus.Queued, "Split task T2 in two."), (next.Phase, next.Attempt, next.Status, next.Feedback));
        Assert.Same(next, build.CurrentRun);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \n ")]
    public void SendBack_WithoutReason_ThrowsAndChangesNothing(string reason)
    {
        var build = TestBuilds.InState(BuildState.Testing);
        var version = build.Version;
        var runs = build.Runs.Select(r => (r.Id, r.Status)).ToList();

        Assert.Throws<InputValidationException>(() => build.SendBack(Phase.Planning, reason, TestBuilds.Reviewer, TestBuilds.Now));

        Assert.Equal(BuildState.Testing, build.State);
        Assert.Equal(version, build.Version);
        Assert.Equal(runs, build.Runs.Select(r => (r.Id, r.Status)).ToList());
    }

    [Fact]
    public void SendBack_ToEarlierPhase_KeepsEveryRunAndQueuesNextAttemptWithReason()
    {
        var build = TestBuilds.InState(BuildState.Implementation);
        var before = build.Runs.Select(r => (r.Id, r.Phase, r.Attempt, r.Output)).ToList();
        var current = build.CurrentRun!;

        var next = build.SendBack(Phase.Discovery, "The export must also cover credit notes.", TestBuilds.Reviewer, TestBuilds.Now);

        Assert.Equal(BuildState.Discovery, build.State);
        Assert.Equal(before.Count + 1, build.Runs.Count);
        Assert.Equal(before, build.Runs.Take(before.Count).Select(r => (r.Id, r.Phase, r.Attempt, r.Output)).ToList());
        Assert.Equal(PhaseRunStatus.Cancelled, current.Status);
        Assert.All(build.Runs.Where(r => r.Phase < Phase.Implementation && r != next), r => Assert.Equal(PhaseRunStatus.Superseded, r.Status));
        Assert.Equal((Phase.Discovery, 2, PhaseRunStatus.Queued), (next.Phase, next.Attempt, next.Status));
        Assert.Equal("The export must also cover credit notes.", next.Feedback);
        Assert.Same(next, build.CurrentRun);
    }

    [Fact]
    public void SendBack_SamePhaseTwice_QueuesAttemptThree()
    {
        var build = TestBuilds.InState(BuildState.Planning);
        build.SendBack(Phase.Discovery, "First reason.", TestBuilds.Reviewer, TestBuilds.Now);
        TestBuilds.ApproveCurrent(build);

        var third = build.SendBack(Phase.Discovery, "Second reason.", TestBuilds.Reviewer, TestBuilds.Now);

        Assert.Equal(3, third.Attempt);
        Assert.Equal(3, build.Runs.Count(r => r.Phase == Phase.Discovery));
        Assert.Equal(2, build.Runs.Count(r => r.Phase == Phase.Planning));
    }

    [Fact]
    public void Approve_ThroughAllSixPhases_ReachesComplete()
    {
        var build = TestBuilds.New();
        build.Start(TestBuilds.Now);
        var visited = new List<BuildState>();

        PhaseRun? next;
        do
        {
            visited.Add(build.State);
            next = TestBuilds.ApproveCurrent(build);
        }
        while (next is not null);

        Assert.Equal(BuildState.Complete, build.State);
        Assert.Equal(ForwardOrder[1..7], visited);
        Assert.Equal(PhaseExtensions.All, build.Runs.Select(r => r.Phase));
        Assert.All(build.Runs, r => Assert.Equal(PhaseRunStatus.Approved, r.Status));
        Assert.Null(build.CurrentRun);
    }

    [Fact]
    public void HoldThenResume_FromTesting_ReturnsToTestingWithSameRun()
    {
        var build = TestBuilds.InState(BuildState.Testing);
        var run = build.CurrentRun;

        build.Hold(TestBuilds.Reviewer, TestBuilds.Now);
        Assert.Equal((BuildState.OnHold, Phase.Testing), (build.State, build.SuspendedPhase));
        build.Resume(TestBuilds.Now);

        Assert.Equal(BuildState.Testing, build.State);
        Assert.Null(build.SuspendedPhase);
        Assert.Same(run, build.CurrentRun);
    }

    [Fact]
    public void Retry_AfterFailure_QueuesNextAttemptOfFailedPhase()
    {
        var build = TestBuilds.InState(BuildState.Failed, Phase.Verification);
        var failed = build.CurrentRun!;

        var next = build.Retry(TestBuilds.Now);

        Assert.Equal(BuildState.Verification, build.State);
        Assert.Equal(PhaseRunStatus.Failed, failed.Status);
        Assert.Equal((Phase.Verification, 2, PhaseRunStatus.Queued), (next.Phase, next.Attempt, next.Status));
    }

    [Fact]
    public void Cancel_WithOpenRun_CancelsTheRun()
    {
        var build = TestBuilds.InState(BuildState.Implementation);
        var run = TestBuilds.CompleteCurrent(build);

        build.Cancel("Finance changed its mind.", TestBuilds.Reviewer, TestBuilds.Now);

        Assert.Equal(BuildState.Cancelled, build.State);
        Assert.Equal(PhaseRunStatus.Cancelled, run.Status);
        Assert.DoesNotContain(build.Runs, r => r.Status.IsOpen());
    }

    private static bool ByTheRules(BuildState from, PipelineTrigger trigger, BuildState to)
    {
        var fromPhase = from.AsPhase();
        var toPhase = to.AsPhase();
        return trigger switch
        {
            PipelineTrigger.Start => from == BuildState.Created && to == BuildState.Discovery,
            PipelineTrigger.Approve => fromPhase is not null && Array.IndexOf(ForwardOrder, to) == Array.IndexOf(ForwardOrder, from) + 1,
            PipelineTrigger.SendBack => fromPhase is not null && toPhase is not null && toPhase < fromPhase,
            PipelineTrigger.Hold => fromPhase is not null && to == BuildState.OnHold,
            PipelineTrigger.Resume => from == BuildState.OnHold && toPhase is not null,
            PipelineTrigger.Fail => fromPhase is not null && to == BuildState.Failed,
            PipelineTrigger.Retry => from == BuildState.Failed && toPhase is not null,
            PipelineTrigger.Cancel => from is not (BuildState.Complete or BuildState.Cancelled) && to == BuildState.Cancelled,
            _ => throw new ArgumentOutOfRangeException(nameof(trigger), trigger, null),
        };
    }

    /// <summary>Calls the domain method behind a trigger; <paramref name="to"/> picks the send-back target (Discovery when null).</summary>
    private static void Drive(Build build, PipelineTrigger trigger, BuildState? to)
    {
        var now = TestBuilds.Now;
        switch (trigger)
        {
            case PipelineTrigger.Start:
                build.Start(now);
                break;
            case PipelineTrigger.Approve when build.State.AsPhase() is not null:
                TestBuilds.ApproveCurrent(build);
                break;
            case PipelineTrigger.Approve:
                build.Approve(build.CurrentRun?.Id ?? build.Runs.LastOrDefault()?.Id ?? Guid.NewGuid(), TestBuilds.Reviewer, now);
                break;
            case PipelineTrigger.SendBack:
                build.SendBack(to?.AsPhase() ?? Phase.Discovery, "Go back and look again.", TestBuilds.Reviewer, now);
                break;
            case PipelineTrigger.Hold:
                build.Hold(TestBuilds.Reviewer, now);
                break;
            case PipelineTrigger.Resume:
                build.Resume(now);
                break;
            case PipelineTrigger.Fail when build.State.AsPhase() is not null:
                TestBuilds.FailCurrent(build);
                break;
            case PipelineTrigger.Fail:
                var run = build.Runs.LastOrDefault() ?? new PhaseRun(build.Id, Phase.Discovery, 1, null, now);
                build.Fail(run, Guid.NewGuid(), "The model failed.", now);
                break;
            case PipelineTrigger.Retry:
                build.Retry(now);
                break;
            case PipelineTrigger.Cancel:
                build.Cancel("Stop it.", TestBuilds.Reviewer, now);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(trigger), trigger, null);
        }
    }
}
