namespace AiStudio.Core.Builds;

public enum ApprovalPolicy
{
    /// <summary>A person approves every phase.</summary>
    Manual,

    /// <summary>
    /// Phases advance on their own; the Test Auditor's and Verification Overseer's structured verdicts
    /// decide whether to pass or rework, up to the rework cap and the cost budget.
    /// </summary>
    Automatic,
}

/// <summary>How a build is governed: who advances it, how much rework it may do, how much it may spend.</summary>
public sealed record BuildGovernance(ApprovalPolicy Policy = ApprovalPolicy.Manual, int ReworkCap = BuildGovernance.DefaultReworkCap, decimal? CostBudget = null)
{
    public const int DefaultReworkCap = 3;
    public const int MaxReworkCap = 20;
}
