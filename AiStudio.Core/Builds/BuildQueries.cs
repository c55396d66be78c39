using AiStudio.Core.Common;
using AiStudio.Core.Costs;
using AiStudio.Core.Persistence;
using AiStudio.Core.Projects;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Core.Builds;

internal sealed class BuildQueries(IDbContextFactory<AiStudioDbContext> contexts, ICostCalculator prices) : IBuildQueries
{
    public const int BoardLimit = 500;

    public async Task<IReadOnlyList<BuildCard>> GetBoardAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var builds = await db.VisibleTo(actor)
            .OrderByDescending(b => b.UpdatedAt)
            .Take(BoardLimit)
            .Select(b => new
            {
                b.Id,
                b.Title,
                ProjectName = db.Projects.Where(p => p.Id == b.ProjectId).Select(p => p.Name).First(),
                b.State,
                b.SuspendedPhase,
                b.CreatedAt,
                b.UpdatedAt,
                Latest = b.Runs.OrderByDescending(r => r.QueuedAt).ThenByDescending(r => r.Attempt)
                    .Select(r => new { r.Phase, r.Attempt, r.Status }).FirstOrDefault(),
            })
            .AsNoTracking()
            .ToListAsync(cancellationToken);

        return builds
            .Select(b =>
            {
                var phase = b.State.AsPhase() ?? b.SuspendedPhase ?? (b.State == BuildState.Complete ? Phase.Deployment : b.Latest?.Phase);
                return new BuildCard(b.Id, b.Title, b.ProjectName, b.State, phase, b.Latest?.Attempt ?? 0, b.Latest?.Status, b.CreatedAt, b.UpdatedAt);
            })
            .ToList();
    }

    public async Task<IReadOnlyList<string>> GetProjectNamesAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ProjectsOf(actor)
            .OrderBy(p => p.Name)
            .Select(p => p.Name)
            .ToListAsync(cancellationToken);
    }

    public async Task<BuildDetails?> GetAsync(Actor actor, Guid buildId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var build = await db.VisibleTo(actor).Include(b => b.Runs).ThenInclude(r => r.Approvals).AsNoTracking()
            .SingleOrDefaultAsync(b => b.Id == buildId, cancellationToken);
        if (build is null)
        {
            return null;
        }

        var project = await db.Projects.Where(p => p.Id == build.ProjectId)
            .Select(p => new { p.Name, Rules = new ApprovalRules(p.RequireSeparateApprover, p.RequiredApprovals) })
            .SingleAsync(cancellationToken);
        var projectName = project.Name;
        var canDecide = await db.DecidableBy(actor).AnyAsync(b => b.Id == buildId, cancellationToken);
        var runs = build.Runs.OrderBy(r => r.QueuedAt).ThenBy(r => r.Phase).ThenBy(r => r.Attempt).Select(PhaseRunView.From).ToList();
        var createdBy = await db.Users.Where(u => u.Id == build.CreatedBy).Select(u => u.UserName).SingleOrDefaultAsync(cancellationToken) ?? build.CreatedBy;
        return new BuildDetails(build.Id, build.ProjectId, projectName, build.Title, build.Requirements, build.State, build.CurrentPhase,
            build.Version, createdBy, build.CreatedAt, build.UpdatedAt, canDecide, runs, build.StatusReason,
            new BuildGovernance(build.Policy, build.ReworkCap, build.CostBudget), build.ReworkCycles, Ledger(build),
            Progress(build, project.Rules, actor, canDecide));
    }

    private static ApprovalProgress? Progress(Build build, ApprovalRules rules, Actor actor, bool canDecide)
    {
        if (build.CurrentRun is not { Status: PhaseRunStatus.AwaitingApproval } run || build.State.AsPhase() is null)
        {
            return null;
        }

        var refusal = canDecide ? build.ApprovalRefusal(actor.UserId, rules) : "Only an editor or owner of the project can approve.";
        return new ApprovalProgress(rules, PhaseRunView.From(run).Approvals ?? [], refusal is null, refusal);
    }

    private CostSummary Ledger(Build build) => CostLedger.Summarize(build.Runs
        .Where(r => r.ModelId is not null)
        .Select(r => new CostLine(r.Phase, r.Role, r.ModelId!, r.InputTokens, r.OutputTokens, r.Cost, prices.IsPriced(r.ModelId!))));

    public async Task<RunInspection?> InspectRunAsync(Actor actor, Guid buildId, Guid runId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var run = await db.PhaseRuns.AsNoTracking()
            .Where(r => r.Id == runId && r.BuildId == buildId && db.VisibleTo(actor).Any(b => b.Id == r.BuildId))
            .SingleOrDefaultAsync(cancellationToken);
        if (run is null)
        {
            return null;
        }

        var prompt = run.PromptId is { } promptId
            ? await db.RolePrompts.Where(p => p.Id == promptId).Select(p => new PromptView(p.Id, p.Role, p.Version, p.Text, p.CreatedAt)).SingleOrDefaultAsync(cancellationToken)
            : await db.RolePrompts.Where(p => p.Role == run.Role && p.IsActive).OrderByDescending(p => p.Version)
                .Select(p => new PromptView(p.Id, p.Role, p.Version, p.Text, p.CreatedAt)).FirstOrDefaultAsync(cancellationToken);
        var messages = await db.ConversationMessages.Where(m => m.PhaseRunId == runId).OrderBy(m => m.Sequence)
            .Select(m => new MessageView(m.Author, m.Content)).ToListAsync(cancellationToken);
        return new RunInspection(PhaseRunView.From(run), prompt, messages);
    }
}
