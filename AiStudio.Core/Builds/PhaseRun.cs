using AiStudio.Core.Common;
using AiStudio.Core.Roles;

namespace AiStudio.Core.Builds;

/// <summary>One attempt at one phase of a build: the unit of work that the background worker executes.</summary>
public sealed class PhaseRun
{
    private readonly List<PhaseRunApproval> _approvals = [];

    private PhaseRun() { }

    internal PhaseRun(Guid buildId, Phase phase, int attempt, string? feedback, DateTimeOffset now)
    {
        Id = Guid.NewGuid();
        BuildId = buildId;
        Phase = phase;
        Role = phase.Role();
        Attempt = attempt;
        Feedback = feedback;
        Status = PhaseRunStatus.Queued;
        QueuedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid BuildId { get; private set; }
    public Phase Phase { get; private set; }
    public AiRole Role { get; private set; }
    public int Attempt { get; private set; }
    public PhaseRunStatus Status { get; private set; }

    /// <summary>The reviewer feedback that this attempt must address, if a person asked for rework.</summary>
    public string? Feedback { get; private set; }

    public Guid? PromptId { get; private set; }
    public int? PromptVersion { get; private set; }
    public string? Provider { get; private set; }
    public string? ModelId { get; private set; }
    public string? Output { get; private set; }

    /// <summary>A reviewer's edit of <see cref="Output"/>; when present it is what later phases see.</summary>
    public string? EditedOutput { get; private set; }

    public string? EditedBy { get; private set; }

    /// <summary>What this attempt hands on to later phases.</summary>
    public string? HandedOnOutput => EditedOutput ?? Output;

    public decimal Cost { get; private set; }
    public int InputTokens { get; private set; }
    public int OutputTokens { get; private set; }
    public long? LatencyMs { get; private set; }
    public string? Error { get; private set; }

    /// <summary>Which execution holds this run; a stale executor cannot complete a run it no longer holds.</summary>
    public Guid? ClaimToken { get; private set; }
    public int ExecutionCount { get; private set; }

    public DateTimeOffset QueuedAt { get; private set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }
    public string? DecidedBy { get; private set; }
    public DateTimeOffset? DecidedAt { get; private set; }

    /// <summary>App-set concurrency token: SQLite has no rowversion.</summary>
    public int Version { get; private set; }

    /// <summary>The approvals of the text this attempt hands on; kept after the attempt is decided, as its history.</summary>
    public IReadOnlyList<PhaseRunApproval> Approvals => _approvals;

    public bool HasApprovalFrom(string userId) => _approvals.Any(a => a.ApproverId == userId);

    public Guid Claim(Guid token, DateTimeOffset now)
    {
        if (Status != PhaseRunStatus.Queued)
        {
            throw new DomainException($"This run is {Status.DisplayName().ToLowerInvariant()}, not queued.");
        }

        Status = PhaseRunStatus.Running;
        ClaimToken = token;
        StartedAt = now;
        ExecutionCount++;
        Version++;
        return token;
    }

    /// <summary>The process that was running this attempt died; put it back in the queue.</summary>
    public void Requeue()
    {
        if (Status != PhaseRunStatus.Running)
        {
            throw new DomainException("Only a running attempt can be requeued.");
        }

        Status = PhaseRunStatus.Queued;
        ClaimToken = null;
        Version++;
    }

    public void Complete(Guid token, RoleRunOutcome outcome, decimal cost, DateTimeOffset now)
    {
        EnsureHeldBy(token);
        Record(outcome, cost);
        Status = PhaseRunStatus.AwaitingApproval;
        CompletedAt = now;
        ClaimToken = null;
        Version++;
    }

    /// <param name="unsaved">The model's answer when it was paid for but could not be stored as a completion: kept as the failed attempt's output.</param>
    internal void Fail(Guid token, string error, DateTimeOffset now, RoleRunOutcome? unsaved = null, decimal cost = 0)
    {
        EnsureHeldBy(token);
        if (unsaved is not null)
        {
            Record(unsaved, cost);
        }

        Status = PhaseRunStatus.Failed;
        Error = error;
        CompletedAt = now;
        ClaimToken = null;
        Version++;
    }

    /// <summary>The model's answer and what it took: the text, the prompt it answered, the model, tokens, latency and cost.</summary>
    private void Record(RoleRunOutcome outcome, decimal cost)
    {
        Output = outcome.Response;
        Cost = cost;
        PromptId = outcome.PromptId;
        PromptVersion = outcome.PromptVersion;
        Provider = outcome.Provider;
        ModelId = outcome.ModelId;
        InputTokens = outcome.InputTokens;
        OutputTokens = outcome.OutputTokens;
        LatencyMs = (long)outcome.Latency.TotalMilliseconds;
    }

    /// <summary>
    /// Records one person's approval; with an edit that changes the text handed on, earlier approvals no longer
    /// count, because they approved other text. Returns how many approvals the attempt now has.
    /// </summary>
    internal int RecordApproval(Approver approver, string? editedOutput, DateTimeOffset now)
    {
        EnsureAwaitingApproval();
        if (editedOutput is not null && editedOutput != HandedOnOutput)
        {
            _approvals.Clear();
            EditedOutput = editedOutput == Output ? null : editedOutput;
            EditedBy = EditedOutput is null ? null : approver.Name;
        }

        _approvals.Add(new PhaseRunApproval(Id, approver, editedOutput is not null, now));
        Version++;
        return _approvals.Count;
    }

    internal void Approve(string decidedBy, DateTimeOffset now) => Decide(PhaseRunStatus.Approved, decidedBy, now);

    internal void Supersede()
    {
        if (Status == PhaseRunStatus.Approved)
        {
            Status = PhaseRunStatus.Superseded;
            Version++;
        }
    }

    public bool IsHeldBy(Guid token) => Status == PhaseRunStatus.Running && ClaimToken == token;

    internal void Reject(string decidedBy, DateTimeOffset now) => Decide(PhaseRunStatus.Rejected, decidedBy, now);

    internal void Cancel(string decidedBy, DateTimeOffset now)
    {
        if (!Status.IsOpen())
        {
            return;
        }

        Status = PhaseRunStatus.Cancelled;
        ClaimToken = null;
        DecidedBy = decidedBy;
        DecidedAt = now;
        Version++;
    }

    private void Decide(PhaseRunStatus verdict, string decidedBy, DateTimeOffset now)
    {
        EnsureAwaitingApproval();
        Status = verdict;
        DecidedBy = decidedBy;
        DecidedAt = now;
        Version++;
    }

    private void EnsureAwaitingApproval()
    {
        if (Status != PhaseRunStatus.AwaitingApproval)
        {
            throw new DomainException(
                $"Attempt {Attempt} of {Phase} is {Status.DisplayName().ToLowerInvariant()}; only output awaiting approval can be decided.");
        }
    }

    private void EnsureHeldBy(Guid token)
    {
        if (!IsHeldBy(token))
        {
            throw new DomainException("This attempt is no longer held by this execution.");
        }
    }
}
