namespace AiStudio.Core.Builds;

/// <summary>One person's approval of one attempt; an attempt advances when its project's required number is reached.</summary>
public sealed class PhaseRunApproval
{
    public const string RecordedAction = "phase.approval-recorded";

    private PhaseRunApproval() { }

    internal PhaseRunApproval(Guid phaseRunId, Approver approver, bool edited, DateTimeOffset now)
    {
        Id = Guid.NewGuid();
        PhaseRunId = phaseRunId;
        ApproverId = approver.UserId;
        ApproverName = approver.Name;
        Edited = edited;
        ApprovedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid PhaseRunId { get; private set; }
    public string ApproverId { get; private set; } = "";
    public string ApproverName { get; private set; } = "";

    /// <summary>The approval came with the approver's own version of the output.</summary>
    public bool Edited { get; private set; }

    public DateTimeOffset ApprovedAt { get; private set; }
}
