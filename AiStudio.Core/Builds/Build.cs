using AiStudio.Core.Common;

namespace AiStudio.Core.Builds;

/// <summary>
/// A change carried from written requirements to release. Every move goes through
/// <see cref="PipelineStateMachine"/>; a forbidden move throws <see cref="InvalidTransitionException"/>.
/// </summary>
public sealed class Build
{
    public const int TitleMaxLength = 200;
    public const int RequirementsMaxLength = 50_000;

    /// <summary>A person's reason for rejecting, sending back or cancelling; it goes into the role's history and the status line.</summary>
    public const int ReasonMaxLength = 2_000;

    /// <summary>A reviewer's own version of an output: well above what a model writes in one answer.</summary>
    public const int EditedOutputMaxLength = 100_000;

    private readonly List<PhaseRun> _runs = [];

    private Build() { }

    public Guid Id { get; private set; }
    public Guid ProjectId { get; private set; }
    public string Title { get; private set; } = "";
    public string Requirements { get; private set; } = "";
    public BuildState State { get; private set; }

    /// <summary>The phase a held or failed build returns to when it resumes or is retried.</summary>
    public Phase? SuspendedPhase { get; private set; }

    /// <summary>Why the build is on hold, failed or cancelled, in words for the people watching it.</summary>
    public string? StatusReason { get; private set; }

    public ApprovalPolicy Policy { get; private set; }
    public int ReworkCap { get; private set; } = BuildGovernance.DefaultReworkCap;
    public decimal? CostBudget { get; private set; }

    /// <summary>Rejections and send-backs so far; automatic rework stops at <see cref="ReworkCap"/>.</summary>
    public int ReworkCycles { get; private set; }

    public string CreatedBy { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>App-set concurrency token, bumped on every change: SQLite has no rowversion.</summary>
    public int Version { get; private set; }

    public IReadOnlyList<PhaseRun> Runs => _runs;

    public Phase? CurrentPhase => State.AsPhase() ?? SuspendedPhase;

    public PhaseRun? CurrentRun => CurrentPhase is { } phase
        ? _runs.Where(r => r.Phase == phase).MaxBy(r => (r.QueuedAt, r.Attempt))
        : null;

    public decimal TotalCost => _runs.Sum(r => r.Cost);

    public bool BudgetSpent => CostBudget is { } budget && TotalCost >= budget;

    public static Build Create(Guid projectId, string title, string requirements, string createdBy, DateTimeOffset now, BuildGovernance? governance = null)
    {
        governance ??= new BuildGovernance();
        if (governance.ReworkCap is < 0 or > BuildGovernance.MaxReworkCap)
        {
            throw new DomainException($"The rework cap must be between 0 and {BuildGovernance.MaxReworkCap}.");
        }

        if (governance.CostBudget is < 0)
        {
            throw new DomainException("The cost budget cannot be negative.");
        }

        return new Build
        {
            Id = Guid.NewGuid(),
            ProjectId = projectId,
            Title = title.Trim(),
            Requirements = requirements.Trim(),
            State = BuildState.Created,
            CreatedBy = createdBy,
            CreatedAt = now,
            UpdatedAt = now,
            Policy = governance.Policy,
            ReworkCap = governance.ReworkCap,
            CostBudget = governance.CostBudget,
        };
    }

    public PhaseRun Start(DateTimeOffset now)
    {
        Move(PipelineTrigger.Start, BuildState.Discovery, now);
        return Queue(Phase.Discovery, feedback: null, now);
    }

    /// <summary>A person approves the attempt awaiting approval; the next phase is queued, or the build completes.</summary>
    public PhaseRun? Approve(Guid runId, string decidedBy, DateTimeOffset now, string? editedOutput = null) =>
        Approve(runId, new Approver(decidedBy, decidedBy), ApprovalRules.Single, now, editedOutput);

    /// <summary>
    /// Records a person's approval under the project's rules. The approval that reaches the required number
    /// queues the next phase (or completes the build); one before it leaves the attempt awaiting approval.
    /// </summary>
    public PhaseRun? Approve(Guid runId, Approver approver, ApprovalRules rules, DateTimeOffset now, string? editedOutput = null)
    {
        EnsureAnyMove(PipelineTrigger.Approve);
        var run = OpenRun(runId);
        if (editedOutput is not null)
        {
            ValidateEditedOutput(editedOutput);
        }

        if (ApprovalRefusal(run, approver.UserId, rules) is { } refusal)
        {
            throw new DomainException(refusal);
        }

        var next = run.Phase.Next();
        EnsureAllowed(PipelineTrigger.Approve, next?.ToState() ?? BuildState.Complete);
        var approvals = run.RecordApproval(approver, editedOutput, now);
        if (approvals < rules.RequiredApprovals)
        {
            Touch(now);
            return null;
        }

        return AdvancePast(run, approver.Name, now);
    }

    /// <summary>Why this person may not approve the current attempt, or null when they may (or it awaits nothing).</summary>
    public string? ApprovalRefusal(string userId, ApprovalRules rules) =>
        CurrentRun is { Status: PhaseRunStatus.AwaitingApproval } run ? ApprovalRefusal(run, userId, rules) : null;

    /// <summary>Applies a verdict to the attempt awaiting approval; returns the attempt it queues, if any.</summary>
    public PhaseRun? Decide(Guid runId, Verdict verdict, string decidedBy, DateTimeOffset now) =>
        Decide(runId, verdict, new Approver(decidedBy, decidedBy), ApprovalRules.Single, now);

    /// <summary>
    /// Applies a verdict under the project's rules. Only approving is separated from starting the build:
    /// the starter may still reject or send back, since asking for rework never pushes their own work through.
    /// </summary>
    public PhaseRun? Decide(Guid runId, Verdict verdict, Approver by, ApprovalRules rules, DateTimeOffset now) => verdict switch
    {
        Verdict.Approve approve => Approve(runId, by, rules, now, approve.EditedOutput),
        Verdict.Reject reject => Reject(runId, PersonsReason(reject.Reason), by.Name, now),
        Verdict.SendBack sendBack => SendBackFrom(runId, DefinedTarget(sendBack.Target), PersonsReason(sendBack.Reason), by.Name, now),
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, null),
    };

    /// <summary>
    /// Under the automatic policy, follows a finished attempt: passes it on, or reworks it as the Test
    /// Auditor or Verification Overseer asked, and holds for a person when the cap or the budget is reached.
    /// </summary>
    public PhaseRun? AdvanceAutomatically(PhaseRun run, string decidedBy, DateTimeOffset now)
    {
        if (Policy != ApprovalPolicy.Automatic || run != CurrentRun || run.Status != PhaseRunStatus.AwaitingApproval || State.AsPhase() is null)
        {
            return null;
        }

        if (BudgetSpent)
        {
            HoldFor($"The cost budget of {CostBudget:0.00} USD is spent ({TotalCost:0.0000} USD); a person must decide.", now);
            return null;
        }

        var verdict = run.Phase is Phase.Testing or Phase.Verification ? StructuredVerdict.Parse(run.Output) : null;
        if (verdict is null || verdict.Pass)
        {
            // The policy decides in place of people, so the project's approval counts do not apply.
            return AdvancePast(run, decidedBy, now);
        }

        if (ReworkCycles >= ReworkCap)
        {
            HoldFor($"The rework cap of {ReworkCap} cycles is reached and {run.Phase} asked for rework again: {verdict.Reasons}", now);
            return null;
        }

        var target = verdict.ReworkPhase is { } phase && phase <= run.Phase ? phase : run.Phase;
        return target == run.Phase
            ? Reject(run.Id, verdict.Reasons, decidedBy, now)
            : SendBackFrom(run.Id, target, verdict.Reasons, decidedBy, now);
    }

    /// <summary>Holds a build whose spending reached its budget; a person decides what next.</summary>
    public bool HoldIfBudgetSpent(DateTimeOffset now)
    {
        if (!BudgetSpent || State.AsPhase() is null)
        {
            return false;
        }

        HoldFor($"The cost budget of {CostBudget:0.00} USD is spent ({TotalCost:0.0000} USD); a person must decide.", now);
        return true;
    }

    /// <summary>A person rejects the attempt; the same role tries again with the reason in its history.</summary>
    public PhaseRun Reject(Guid runId, string reason, string decidedBy, DateTimeOffset now)
    {
        var run = OpenRun(runId);
        if (State.AsPhase() is null)
        {
            throw new DomainException($"A build that is {State.DisplayName().ToLowerInvariant()} cannot be reworked.");
        }

        var feedback = RequireReason(reason);
        run.Reject(decidedBy, now);
        ReworkCycles++;
        Touch(now);
        return Queue(run.Phase, feedback, now);
    }

    public PhaseRun SendBack(Phase target, string reason, string decidedBy, DateTimeOffset now)
    {
        var from = State.AsPhase();
        var feedback = RequireReason(reason);
        Move(PipelineTrigger.SendBack, target.ToState(), now);
        foreach (var run in _runs.Where(r => r.Phase >= target && r.Phase <= from))
        {
            if (run.Status.IsOpen())
            {
                run.Cancel(decidedBy, now);
            }
            else
            {
                run.Supersede();
            }
        }

        ReworkCycles++;
        return Queue(target, feedback, now);
    }

    /// <summary>A person pauses the build; an attempt already running finishes, but nothing new starts.</summary>
    public void Hold(string pausedBy, DateTimeOffset now) => HoldFor($"Paused by {pausedBy}.", now);

    public PhaseRun? Resume(DateTimeOffset now)
    {
        EnsureAnyMove(PipelineTrigger.Resume);
        var phase = SuspendedPhase ?? throw new DomainException("This build has no phase to resume.");
        Move(PipelineTrigger.Resume, phase.ToState(), now);
        SuspendedPhase = null;
        StatusReason = null;
        if (CurrentRun is { Status: PhaseRunStatus.Failed } failed)
        {
            Move(PipelineTrigger.Fail, BuildState.Failed, now);
            SuspendedPhase = phase;
            StatusReason = failed.Error;
            return null;
        }

        return CurrentRun is { Status: PhaseRunStatus.Queued } queued ? queued : null;
    }

    /// <summary>The model failed the attempt after its retries; the build waits for a person to retry.</summary>
    public void Fail(PhaseRun run, Guid token, string error, DateTimeOffset now, RoleRunOutcome? unsaved = null, decimal cost = 0)
    {
        if (State != BuildState.OnHold)
        {
            EnsureAllowed(PipelineTrigger.Fail, BuildState.Failed);
        }

        run.Fail(token, error, now, unsaved, cost);
        if (State == BuildState.OnHold)
        {
            // Held while the model was working: stay held; resuming will show the failure.
            StatusReason = $"{StatusReason} Meanwhile the {run.Phase} attempt failed: {error}";
            Touch(now);
            return;
        }

        var phase = State.AsPhase();
        Move(PipelineTrigger.Fail, BuildState.Failed, now);
        SuspendedPhase = phase;
        StatusReason = error;
    }

    public PhaseRun Retry(DateTimeOffset now)
    {
        EnsureAnyMove(PipelineTrigger.Retry);
        var phase = SuspendedPhase ?? throw new DomainException("This build has no failed phase to retry.");
        Move(PipelineTrigger.Retry, phase.ToState(), now);
        SuspendedPhase = null;
        StatusReason = null;
        return Queue(phase, feedback: null, now);
    }

    public void Cancel(string reason, string decidedBy, DateTimeOffset now)
    {
        var why = PersonsReason(reason);
        Move(PipelineTrigger.Cancel, BuildState.Cancelled, now);
        SuspendedPhase = null;
        StatusReason = $"Cancelled by {decidedBy}: {why}";
        foreach (var run in _runs.Where(r => r.Status.IsOpen()))
        {
            run.Cancel(decidedBy, now);
        }
    }

    /// <summary>
    /// Marks work done by the background (an attempt finished) without a new version: it changes nothing
    /// a person decided on, so a pause or cancel clicked at that moment is not refused as a conflict.
    /// </summary>
    public void NoteActivity(DateTimeOffset now) => UpdatedAt = now;

    /// <summary>Marks a change made to one of the build's runs, so that concurrent actors notice it.</summary>
    public void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Version++;
    }

    private PhaseRun? AdvancePast(PhaseRun run, string decidedBy, DateTimeOffset now)
    {
        var next = run.Phase.Next();
        var to = next?.ToState() ?? BuildState.Complete;
        EnsureAllowed(PipelineTrigger.Approve, to);
        run.Approve(decidedBy, now);
        Move(PipelineTrigger.Approve, to, now);
        return next is { } phase ? Queue(phase, feedback: null, now) : null;
    }

    private string? ApprovalRefusal(PhaseRun run, string userId, ApprovalRules rules)
    {
        if (rules.RequireSeparateApprover && userId == CreatedBy)
        {
            return "You started this build, and its project needs someone else to approve its phases. You can still reject it or send it back.";
        }

        if (run.HasApprovalFrom(userId))
        {
            var missing = Math.Max(1, rules.RequiredApprovals - run.Approvals.Count);
            return $"You have already approved attempt {run.Attempt} of {run.Phase}; it needs {missing} more approval{(missing == 1 ? "" : "s")} from someone else.";
        }

        return null;
    }

    private PhaseRun SendBackFrom(Guid runId, Phase target, string reason, string decidedBy, DateTimeOffset now)
    {
        var run = OpenRun(runId);
        if (target >= run.Phase)
        {
            throw new DomainException($"Send back to a phase before {run.Phase}; to have {run.Phase} tried again, reject it.");
        }

        return SendBack(target, reason, decidedBy, now);
    }

    private void HoldFor(string reason, DateTimeOffset now)
    {
        var phase = State.AsPhase();
        Move(PipelineTrigger.Hold, BuildState.OnHold, now);
        SuspendedPhase = phase;
        StatusReason = reason;
    }

    private void Move(PipelineTrigger trigger, BuildState to, DateTimeOffset now)
    {
        EnsureAllowed(trigger, to);
        State = to;
        Touch(now);
    }

    // Checked before a run is decided or failed, so that a refused move leaves the build and its runs as they were.
    private void EnsureAllowed(PipelineTrigger trigger, BuildState to)
    {
        if (!PipelineStateMachine.IsAllowed(State, trigger, to))
        {
            throw new InvalidTransitionException(State, trigger, to);
        }
    }

    // For triggers whose target is only known from the build's runs: a state with no such row refuses them outright.
    private void EnsureAnyMove(PipelineTrigger trigger)
    {
        if (!PipelineStateMachine.From(State).Any(t => t.Trigger == trigger))
        {
            throw new InvalidTransitionException(State, trigger);
        }
    }

    private PhaseRun Queue(Phase phase, string? feedback, DateTimeOffset now)
    {
        var attempt = _runs.Count(r => r.Phase == phase) + 1;
        var run = new PhaseRun(Id, phase, attempt, feedback, now);
        _runs.Add(run);
        return run;
    }

    private PhaseRun OpenRun(Guid runId)
    {
        var run = _runs.SingleOrDefault(r => r.Id == runId) ?? throw new NotFoundException("That attempt");
        if (run != CurrentRun)
        {
            throw new DomainException($"Attempt {run.Attempt} of {run.Phase} is no longer the current attempt.");
        }

        return run;
    }

    private static string RequireReason(string reason) =>
        string.IsNullOrWhiteSpace(reason) ? throw Invalid("Reason", "Give a reason, so that the role knows what to change.") : reason.Trim();

    // What a person types is held to the input rules; the automatic policy's reasons come from a model's
    // verdict line and are stored as they are, so that one odd character cannot stall a build.
    private static string PersonsReason(string? reason)
    {
        var why = RequireReason(reason ?? "");
        return TextInput.Problem("Reason", why, ReasonMaxLength, multiline: true) is { } problem ? throw Invalid("Reason", problem) : why;
    }

    private static Phase DefinedTarget(Phase target) => Enum.IsDefined(target)
        ? target
        : throw Invalid("TargetPhase", $"Unknown phase; send back to one of {string.Join(", ", Enum.GetNames<Phase>())}.");

    private static void ValidateEditedOutput(string editedOutput)
    {
        if (string.IsNullOrWhiteSpace(editedOutput))
        {
            throw Invalid("EditedOutput", "The edited output is empty; approve the model's output as it is, or write your version.");
        }

        if (TextInput.Problem("Your version of the output", editedOutput, EditedOutputMaxLength, multiline: true) is { } problem)
        {
            throw Invalid("EditedOutput", problem);
        }
    }

    private static InputValidationException Invalid(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] });
}

public sealed class InvalidTransitionException(BuildState from, PipelineTrigger trigger, BuildState? to = null)
    : DomainException(to is { } target
        ? $"A build cannot {Verb(trigger)} from {from.DisplayName()} to {target.DisplayName()}."
        : $"A build cannot {Verb(trigger)} from {from.DisplayName()}.")
{
    public BuildState From { get; } = from;
    public PipelineTrigger Trigger { get; } = trigger;

    /// <summary>Null when no move with this trigger leaves <see cref="From"/> at all.</summary>
    public BuildState? To { get; } = to;

    private static string Verb(PipelineTrigger trigger) => trigger switch
    {
        PipelineTrigger.SendBack => "be sent back",
        _ => trigger.ToString().ToLowerInvariant(),
    };
}
