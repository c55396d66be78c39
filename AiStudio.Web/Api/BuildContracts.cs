using AiStudio.Core.Builds;
using AiStudio.Core.Roles;

namespace AiStudio.Web.Api;

// Enum-valued inputs arrive as strings and are parsed by the endpoints, so that an unknown value gets a
// message that names the allowed ones instead of a generic JSON error.

public sealed record StartBuildRequest(
    string? ProjectName,
    string? Title,
    string? Requirements,
    string? ApprovalPolicy = null,
    int? ReworkCap = null,
    decimal? CostBudget = null);

public sealed record VerdictRequest(
    Guid? RunId,
    int? ExpectedVersion,
    string? Verdict,
    string? Reason = null,
    string? TargetPhase = null,
    string? EditedOutput = null);

public sealed record BuildVersionRequest(int? ExpectedVersion);

public sealed record CancelBuildRequest(int? ExpectedVersion, string? Reason);

public sealed record BuildSummaryResponse(
    Guid Id,
    string Title,
    string ProjectName,
    BuildState State,
    Phase? CurrentPhase,
    int Attempt,
    PhaseRunStatus? RunStatus,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static BuildSummaryResponse From(BuildCard c) =>
        new(c.Id, c.Title, c.ProjectName, c.State, c.CurrentPhase, c.Attempt, c.RunStatus, c.CreatedAt, c.UpdatedAt);
}

public sealed record RunSummaryResponse(
    Guid Id,
    Phase Phase,
    AiRole Role,
    int Attempt,
    PhaseRunStatus Status,
    DateTimeOffset QueuedAt,
    DateTimeOffset? CompletedAt,
    string? DecidedBy,
    string? Feedback,
    string? Error,
    string? Provider,
    string? ModelId,
    int? PromptVersion,
    int InputTokens,
    int OutputTokens,
    decimal Cost)
{
    public static RunSummaryResponse From(PhaseRunView r) =>
        new(r.Id, r.Phase, r.Role, r.Attempt, r.Status, r.QueuedAt, r.CompletedAt, r.DecidedBy, r.Feedback, r.Error,
            r.Provider, r.ModelId, r.PromptVersion, r.InputTokens, r.OutputTokens, r.Cost);
}

/// <summary>The seed's "status": where the build is, what can be done next, and the version to send with it.</summary>
public sealed record BuildStatusResponse(
    Guid Id,
    string ProjectName,
    string Title,
    BuildState State,
    string? StatusReason,
    Phase? CurrentPhase,
    RunSummaryResponse? CurrentRun,
    bool AwaitsApproval,
    int Version,
    IReadOnlyList<string> AllowedActions,
    IReadOnlyList<Phase> SendBackTargets,
    ApprovalPolicy ApprovalPolicy,
    int ReworkCap,
    decimal? CostBudget,
    int ReworkCycles,
    decimal TotalCost,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<RunSummaryResponse> Runs)
{
    public static BuildStatusResponse From(BuildDetails d)
    {
        var governance = d.Governance ?? new BuildGovernance();
        return new(d.Id, d.ProjectName, d.Title, d.State, d.StatusReason, d.CurrentPhase,
            d.CurrentRun is { } run ? RunSummaryResponse.From(run) : null, d.AwaitsApproval, d.Version, AllowedActionsOf(d),
            d.CanDecide ? d.SendBackTargets : [], governance.Policy, governance.ReworkCap, governance.CostBudget, d.ReworkCycles,
            d.TotalCost, d.CreatedAt, d.UpdatedAt, d.Runs.Select(RunSummaryResponse.From).ToList());
    }

    private static List<string> AllowedActionsOf(BuildDetails d)
    {
        var actions = new List<string>();
        if (!d.CanDecide)
        {
            return actions;
        }

        if (d.AwaitsApproval)
        {
            // Separation of duties or an approval already given by this person: the other verdicts stay.
            if (d.Approval?.CanApprove != false)
            {
                actions.Add(VerdictNames.Approve);
            }

            actions.Add(VerdictNames.Reject);
            if (d.SendBackTargets.Count > 0)
            {
                actions.Add(VerdictNames.SendBack);
            }
        }

        if (d.CanPause)
        {
            actions.Add("pause");
        }

        if (d.CanResume)
        {
            actions.Add("resume");
        }

        if (d.CanRetry)
        {
            actions.Add("retry");
        }

        if (d.CanCancel)
        {
            actions.Add("cancel");
        }

        return actions;
    }
}

public sealed record PromptTextResponse(Guid Id, AiRole Role, int Version, string Text);

public sealed record MessageResponse(MessageAuthor Author, string Content);

/// <summary>The seed's "get-ai-prompt": the role's system prompt version and the exact messages exchanged with the model.</summary>
public sealed record RunPromptResponse(
    Guid BuildId,
    Guid RunId,
    Phase Phase,
    AiRole Role,
    int Attempt,
    PhaseRunStatus Status,
    PromptTextResponse? Prompt,
    IReadOnlyList<MessageResponse> Messages,
    string? Output,
    string? EditedOutput,
    string? Provider,
    string? ModelId)
{
    public static RunPromptResponse From(Guid buildId, RunInspection i) =>
        new(buildId, i.Run.Id, i.Run.Phase, i.Run.Role, i.Run.Attempt, i.Run.Status,
            i.Prompt is { } p ? new PromptTextResponse(p.Id, p.Role, p.Version, p.Text) : null,
            i.Messages.Select(m => new MessageResponse(m.Author, m.Content)).ToList(),
            i.Run.Output, i.Run.EditedOutput, i.Run.Provider, i.Run.ModelId);
}

public static class VerdictNames
{
    public const string Approve = "approve";
    public const string Reject = "reject";
    public const string SendBack = "send-back";
}
