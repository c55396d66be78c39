using AiStudio.Core.Costs;
using AiStudio.Core.ModelProviders;
using AiStudio.Core.Roles;

namespace AiStudio.Core.Builds;

/// <param name="ProjectName">The project to find among the actor's, or to create; ignored when <paramref name="ProjectId"/> is given.</param>
public sealed record NewBuildRequest(string ProjectName, string Title, string Requirements, BuildGovernance? Governance = null, Guid? ProjectId = null);

public sealed record BuildCard(
    Guid Id,
    string Title,
    string ProjectName,
    BuildState State,
    Phase? CurrentPhase,
    int Attempt,
    PhaseRunStatus? RunStatus,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record PhaseRunView(
    Guid Id,
    Phase Phase,
    AiRole Role,
    int Attempt,
    PhaseRunStatus Status,
    string? Output,
    string? Feedback,
    string? Error,
    string? Provider,
    string? ModelId,
    int? PromptVersion,
    int InputTokens,
    int OutputTokens,
    long? LatencyMs,
    DateTimeOffset QueuedAt,
    DateTimeOffset? CompletedAt,
    string? DecidedBy,
    string? EditedOutput = null,
    string? EditedBy = null,
    decimal Cost = 0m,
    Guid? PromptId = null,
    IReadOnlyList<ApprovalView>? Approvals = null)
{
    public bool IsOffline => Provider == ModelProviderNames.Offline;

    /// <summary>What later phases see: the reviewer's edit when there is one, else the model's output.</summary>
    public string? HandedOnOutput => EditedOutput ?? Output;

    internal static PhaseRunView From(PhaseRun r) => new(
        r.Id, r.Phase, r.Role, r.Attempt, r.Status, r.Output, r.Feedback, r.Error, r.Provider, r.ModelId,
        r.PromptVersion, r.InputTokens, r.OutputTokens, r.LatencyMs, r.QueuedAt, r.CompletedAt, r.DecidedBy,
        r.EditedOutput, r.EditedBy, r.Cost, r.PromptId,
        r.Approvals.OrderBy(a => a.ApprovedAt).Select(a => new ApprovalView(a.ApproverName, a.ApprovedAt, a.Edited)).ToList());
}

public sealed record BuildDetails(
    Guid Id,
    Guid ProjectId,
    string ProjectName,
    string Title,
    string Requirements,
    BuildState State,
    Phase? CurrentPhase,
    int Version,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool CanDecide,
    IReadOnlyList<PhaseRunView> Runs,
    string? StatusReason = null,
    BuildGovernance? Governance = null,
    int ReworkCycles = 0,
    CostSummary? Costs = null,
    ApprovalProgress? Approval = null)
{
    public decimal TotalCost => Runs.Sum(r => r.Cost);

    /// <summary>Earlier phases a reviewer may send the current attempt back to.</summary>
    public IReadOnlyList<Phase> SendBackTargets => CurrentPhase is { } phase && AwaitsApproval
        ? PhaseExtensions.All.Where(p => p < phase).ToList()
        : [];

    public bool CanPause => State.AsPhase() is not null;

    public bool CanResume => State == BuildState.OnHold;

    public bool CanRetry => State == BuildState.Failed;

    public bool CanCancel => !State.IsTerminal();

    public PhaseRunView? CurrentRun => CurrentPhase is { } phase
        ? Runs.Where(r => r.Phase == phase).MaxBy(r => (r.QueuedAt, r.Attempt))
        : null;

    public bool AwaitsApproval => CurrentRun?.Status == PhaseRunStatus.AwaitingApproval && State.AsPhase() is not null;
}

public sealed record ApprovalView(string ApproverName, DateTimeOffset ApprovedAt, bool Edited);

/// <summary>Where the current attempt stands against its project's approval rules, for this actor.</summary>
/// <param name="CannotApproveReason">Why the actor may not approve (or edit and approve) now; null when they may.</param>
public sealed record ApprovalProgress(ApprovalRules Rules, IReadOnlyList<ApprovalView> Approvals, bool CanApprove, string? CannotApproveReason)
{
    public bool IsPartial => Approvals.Count > 0 && Rules.RequiredApprovals > 1;

    public string Summary => $"{Approvals.Count} of {Rules.RequiredApprovals} approvals";
}

public sealed record MessageView(MessageAuthor Author, string Content);

public sealed record PromptView(Guid Id, AiRole Role, int Version, string Text, DateTimeOffset CreatedAt);

/// <summary>What a reviewer inspects for one attempt: the prompt version and the exact messages exchanged.</summary>
public sealed record RunInspection(PhaseRunView Run, PromptView? Prompt, IReadOnlyList<MessageView> Messages);
