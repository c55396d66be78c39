using AiStudio.Core.Common;
using AiStudio.Core.Costs;
using AiStudio.Core.Persistence;
using AiStudio.Core.Projects;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Core.Builds;

internal sealed class BuildQueries(IDbContextFactory<AiStudioDbContext> contexts, ICostCalculator prices) : IBuildQueries
{
    public const int BoardLimit = 500;

    /// <summary>Up to this many projects, the board reads each project's newest builds from its own index.</summary>
    internal const int PerProjectBoardLimit = 16;

    public async Task<IReadOnlyList<BuildCard>> GetBoardAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var newest = await NewestVisibleAsync(db, actor, cancellationToken);
        var builds = (await db.Builds.Where(b => newest.Contains(b.Id))
                .Select(b => new { b.Id, b.Title, b.ProjectId, b.State, b.SuspendedPhase, b.CreatedAt, b.UpdatedAt })
                .ToListAsync(cancellationToken))
            .OrderByDescending(b => b.UpdatedAt)
            .ToList();
        if (builds.Count == 0)
        {
            return [];
        }

        // Names and latest attempts for this page only, each in one indexed lookup: a correlated "latest run" per
        // build made SQLite rank every run in the table first.
        var projectIds = builds.Select(b => b.ProjectId).Distinct().ToList();
        var names = await db.Projects.Where(p => projectIds.Contains(p.Id)).Select(p => new { p.Id, p.Name }).ToDictionaryAsync(p => p.Id, p => p.Name, cancellationToken);
        var buildIds = builds.Select(b => b.Id).ToList();
        var latest = (await db.PhaseRuns.Where(r => buildIds.Contains(r.BuildId))
                .Select(r => new { r.BuildId, r.Phase, r.Attempt, r.Status, r.QueuedAt })
                .ToListAsync(cancellationToken))
            .GroupBy(r => r.BuildId)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(r => r.QueuedAt).ThenByDescending(r => r.Attempt).First());

        return builds
            .Select(b =>
            {
                var run = latest.GetValueOrDefault(b.Id);
                var phase = b.State.AsPhase() ?? b.SuspendedPhase ?? (b.State == BuildState.Complete ? Phase.Deployment : run?.Phase);
                return new BuildCard(b.Id, b.Title, names[b.ProjectId], b.State, phase, run?.Attempt ?? 0, run?.Status, b.CreatedAt, b.UpdatedAt);
            })
            .ToList();
    }

    /// <summary>
    /// The ids of the newest <see cref="BoardLimit"/> builds the actor may see (<see cref="BuildAccess.VisibleTo"/>'s rule),
    /// chosen on (id, time) alone so no long text is sorted. Walking the UpdatedAt index and checking membership stops
    /// early when the actor sees much; for a member of a few projects, each project's newest builds come from the
    /// (ProjectId, UpdatedAt) index instead, so a small share of a large table costs no more than a large one.
    /// </summary>
    private static async Task<IQueryable<Guid>> NewestVisibleAsync(AiStudioDbContext db, Actor actor, CancellationToken cancellationToken)
    {
        if (!actor.IsAdmin)
        {
            var projects = await db.ProjectMembers.Where(m => m.UserId == actor.UserId).Select(m => m.ProjectId).ToListAsync(cancellationToken);
            if (projects.Count <= PerProjectBoardLimit)
            {
                IQueryable<NewestBuild>? newest = null;
                foreach (var projectId in projects)
                {
                    var ofProject = db.Builds.Where(b => b.ProjectId == projectId).OrderByDescending(b => b.UpdatedAt).Take(BoardLimit)
                        .Select(b => new NewestBuild { Id = b.Id, UpdatedAt = b.UpdatedAt });
                    newest = newest is null ? ofProject : newest.Concat(ofProject);
                }

                return newest is null
                    ? db.Builds.Where(_ => false).Select(b => b.Id)
                    : newest.OrderByDescending(b => b.UpdatedAt).Take(BoardLimit).Select(b => b.Id);
            }
        }

        return db.VisibleTo(actor).OrderByDescending(b => b.UpdatedAt).Take(BoardLimit).Select(b => b.Id);
    }

    // A member-init projection, which EF can carry through the UNION ALL (a constructor call it cannot).
    private sealed class NewestBuild
    {
        public Guid Id { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
    }

    public async Task<IReadOnlyList<string>> GetProjectNamesAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ProjectsOf(actor)
            .OrderBy(p => p.Name)
            .Select(p => p.Name)
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlySet<Guid>?> GetVisibleProjectIdsAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        if (actor.IsAdmin)
        {
            return null;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var ids = await db.ProjectMembers.Where(m => m.UserId == actor.UserId).Select(m => m.ProjectId).ToListAsync(cancellationToken);
        return ids.ToHashSet();
    }

    public async Task<BuildDetails?> GetAsync(Actor actor, Guid buildId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var build = await db.VisibleTo(actor).Include(b => b.Runs).ThenInclude(r => r.Approvals).AsSingleQuery().AsNoTracking()
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
