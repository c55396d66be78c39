using AiStudio.Core.Common;

namespace AiStudio.Core.Builds;

/// <summary>
/// A project's separation of duties, applied to every human approval of its builds' phases. The automatic
/// policy bypasses them: no person approves there.
/// </summary>
public sealed record ApprovalRules(bool RequireSeparateApprover = false, int RequiredApprovals = ApprovalRules.MinApprovals)
{
    public const int MinApprovals = 1;
    public const int MaxApprovals = 5;

    /// <summary>One approval by anyone allowed to decide: how builds were approved before projects had rules.</summary>
    public static ApprovalRules Single { get; } = new();

    public void EnsureValid()
    {
        if (RequiredApprovals is < MinApprovals or > MaxApprovals)
        {
            throw new InputValidationException(new Dictionary<string, string[]>
            {
                [nameof(RequiredApprovals)] = [$"Approvals needed per phase must be between {MinApprovals} and {MaxApprovals}."],
            });
        }
    }

    public override string ToString() =>
        $"{RequiredApprovals} approval{(RequiredApprovals == 1 ? "" : "s")} per phase, {(RequireSeparateApprover ? "approver must not be the starter" : "the starter may approve")}";
}

/// <summary>Who approves: the user id tells people apart, the name is what the history shows.</summary>
public sealed record Approver(string UserId, string Name);
