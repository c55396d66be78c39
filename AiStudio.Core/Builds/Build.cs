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

    private readonly List<PhaseRun> _runs = [];

    private Build() { }

    public Guid Id { get; private set; }
    public Guid ProjectId { get; private set; }
    public string Title { get; private set; } = "";
    public string Requirements { get; private set; } = "";
    public BuildState State { get; private set; }

    /// <summary>The phase a held or failed build returns to when it resumes or is retried.</summary>
    public Phase? SuspendedPhase { get; private set; }

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

    public static Build Create(Guid projectId, string title, string requirements, string createdBy, DateTimeOffset now) => new()
    {
        Id = Guid.NewGuid(),
        ProjectId = projectId,
        Title = title.Trim(),
        Requirements = requirements.Trim(),
        State = BuildState.Created,
        CreatedBy = createdBy,
        CreatedAt = now,
        UpdatedAt = now,
    };

    public PhaseRun Start(DateTimeOffset now)
    {
        Move(PipelineTrigger.Start, BuildState.Discovery, now);
        return Queue(Phase.Discovery, feedback: null, now);
    }

    /// <summary>A person approves the attempt awaiting approval; the next phase is queued, or the build completes.</summary>
    public PhaseRun? Approve(Guid runId, string decidedBy, DateTimeOffset now)
    {
        EnsureAnyMove(PipelineTrigger.Approve);
        var run = OpenRun(runId);
        var next = run.Phase.Next();
        var to = next?.ToState() ?? BuildState.Complete;
        EnsureAllowed(PipelineTrigger.Approve, to);
        run.Approve(decidedBy, now);
        Move(PipelineTrigger.Approve, to, now);
        return next is { } phase ? Queue(phase, feedback: null, now) : null;
    }

    /// <summary>A person rejects the attempt; the same role tries again with the reason in its history.</summary>
    public PhaseRun Reject(Guid runId, string reason, string decidedBy, DateTimeOffset now)
    {
        var feedback = RequireReason(reason);
        var run = OpenRun(runId);
        if (State.AsPhase() is null)
        {
            throw new DomainException($"A build that is {State.DisplayName().ToLowerInvariant()} cannot be reworked.");
        }

        run.Reject(decidedBy, now);
        Touch(now);
        return Queue(run.Phase, feedback, now);
    }

    public PhaseRun SendBack(Phase target, string reason, string decidedBy, DateTimeOffset now)
    {
        var feedback = RequireReason(reason);
        var from = State;
        Move(PipelineTrigger.SendBack, target.ToState(), now);
        _runs.Where(r => r.Phase.ToState() == from && r.Status.IsOpen()).ToList().ForEach(r => r.Cancel(decidedBy, now));
        return Queue(target, feedback, now);
    }

    public void Hold(DateTimeOffset now)
    {
        var phase = State.AsPhase();
        Move(PipelineTrigger.Hold, BuildState.OnHold, now);
        SuspendedPhase = phase;
    }

    public void Resume(DateTimeOffset now)
    {
        EnsureAnyMove(PipelineTrigger.Resume);
        var phase = SuspendedPhase ?? throw new DomainException("This build has no phase to resume.");
        Move(PipelineTrigger.Resume, phase.ToState(), now);
        SuspendedPhase = null;
    }

    /// <summary>The model failed the attempt after its retries; the build waits for a person to retry.</summary>
    public void Fail(PhaseRun run, Guid token, string error, DateTimeOffset now)
    {
        var phase = State.AsPhase();
        EnsureAllowed(PipelineTrigger.Fail, BuildState.Failed);
        run.Fail(token, error, now);
        Move(PipelineTrigger.Fail, BuildState.Failed, now);
        SuspendedPhase = phase;
    }

    public PhaseRun Retry(DateTimeOffset now)
    {
        EnsureAnyMove(PipelineTrigger.Retry);
        var phase = SuspendedPhase ?? throw new DomainException("This build has no failed phase to retry.");
        Move(PipelineTrigger.Retry, phase.ToState(), now);
        SuspendedPhase = null;
        return Queue(phase, feedback: null, now);
    }

    public void Cancel(string decidedBy, DateTimeOffset now)
    {
        Move(PipelineTrigger.Cancel, BuildState.Cancelled, now);
        SuspendedPhase = null;
        foreach (var run in _runs.Where(r => r.Status.IsOpen()))
        {
            run.Cancel(decidedBy, now);
        }
    }

    /// <summary>Marks a change made to one of the build's runs, so that concurrent actors notice it.</summary>
    public void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Version++;
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
        string.IsNullOrWhiteSpace(reason) ? throw new DomainException("Give a reason, so that the role knows what to change.") : reason.Trim();
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
