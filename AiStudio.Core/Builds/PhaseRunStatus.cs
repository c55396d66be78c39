namespace AiStudio.Core.Builds;

public enum PhaseRunStatus
{
    Queued,
    Running,
    AwaitingApproval,
    Approved,
    Rejected,
    Failed,
    Cancelled,

    /// <summary>Was approved, then a person sent the build back to an earlier phase; kept in the history.</summary>
    Superseded,
}

public static class PhaseRunStatusExtensions
{
    public static bool IsOpen(this PhaseRunStatus status) =>
        status is PhaseRunStatus.Queued or PhaseRunStatus.Running or PhaseRunStatus.AwaitingApproval;

    public static string DisplayName(this PhaseRunStatus status) => status switch
    {
        PhaseRunStatus.AwaitingApproval => "Awaiting approval",
        _ => status.ToString(),
    };
}
