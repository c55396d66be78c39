using AiStudio.Core.Audit;
using AiStudio.Core.Billing;
using AiStudio.Core.Common;
using AiStudio.Core.Execution;
using AiStudio.Core.Identity;
using AiStudio.Core.ModelProviders;
using AiStudio.Core.Outbox;
using AiStudio.Core.Persistence;
using AiStudio.Core.Projects;
using AiStudio.Core.Roles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace AiStudio.Core.Builds;

internal sealed class BuildCommands(
    IDbContextFactory<AiStudioDbContext> contexts,
    IEntitlementService entitlements,
    IChatModelCatalog models,
    TimeProvider clock,
    ILogger<BuildCommands> logger) : IBuildCommands
{
    public async Task<Guid> StartAsync(Actor actor, NewBuildRequest request, CancellationToken cancellationToken = default)
    {
        NewBuildValidator.Validate(request);
        await entitlements.EnsureCanStartBuildAsync(actor, cancellationToken);
        await EnsureModelsAllowedAsync(actor, cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        Build? build = null;
        try
        {
            // One unit that a retrying strategy may run again from the start (a deadlock victim, a dropped connection):
            // each attempt reads and writes afresh, and a commit whose answer was lost is found by its build's id.
            await db.Database.CreateExecutionStrategy().ExecuteInTransactionAsync(
                async ct =>
                {
                    db.ChangeTracker.Clear();
                    build = await AddBuildAsync(db, actor, request, ct);
                },
                async ct => await db.Builds.AnyAsync(b => b.Id == build!.Id, ct),
                cancellationToken);
        }
        catch (Exception e) when (DatabaseBusy.Is(e))
        {
            throw DatabaseBusy.Refused(db, "the new build");
        }

        logger.LogInformation("Build {BuildId} started in project {ProjectId} by user {UserId} ({Policy} approval); phase run {PhaseRunId} queued",
            build!.Id, build.ProjectId, actor.UserId, build.Policy, build.CurrentRun!.Id);
        return build.Id;
    }

    /// <summary>
    /// The new build, its first run, its audit row and the notices that schedule the run and tell open pages, written and
    /// counted against the plan in the caller's transaction.
    /// </summary>
    private async Task<Build> AddBuildAsync(AiStudioDbContext db, Actor actor, NewBuildRequest request, CancellationToken cancellationToken)
    {
        // Builds one person starts at once are written one after another: each counts the ones before it against the plan,
        // and finds the project an earlier one created for the same new name instead of creating it again.
        await UserRowLock.HoldAsync(db, actor.UserId, cancellationToken);
        await entitlements.EnsureRoomForNewBuildAsync(db, actor, cancellationToken);
        var now = clock.GetUtcNow();
        var project = request.ProjectId is { } projectId
            ? await db.ProjectsVisibleTo(actor).Include(p => p.Members).SingleOrDefaultAsync(p => p.Id == projectId, cancellationToken)
                ?? throw new NotFoundException("That project")
            : await FindOrCreateProjectAsync(db, actor, request.ProjectName.Trim(), now, cancellationToken);
        if (!actor.IsAdmin && project.RoleOf(actor.UserId) == ProjectRole.Viewer)
        {
            throw new DomainException($"You are a viewer of {project.Name} and cannot start builds there.");
        }

        var build = Build.Create(project.Id, request.Title, request.Requirements, actor.UserId, now, request.Governance);
        var run = build.Start(now);
        db.Builds.Add(build);
        db.AddNotice(new ScheduleRun(run.Id), now);
        db.AddNotice(new BuildChanged(build.Id, project.Id, build.State, "started"), now);
        db.AuditEvents.Add(AuditEvent.Create(now, actor.UserId, actor.DisplayName, AuditActions.BuildStarted, "Build",
            build.Id.ToString(), project.Id, build.Id, before: nameof(BuildState.Created), after: build.State.ToString(),
            detail: $"{build.Title} ({build.Policy} approval, rework cap {build.ReworkCap}{(build.CostBudget is { } budget ? $", budget {budget:0.00} USD" : "")})"));
        await db.SaveChangesAsync(cancellationToken);
        return build;
    }

    /// <summary>The new-build dialog names a project: the actor's own of that name first, then one they may start builds in.</summary>
    private static async Task<Project> FindOrCreateProjectAsync(AiStudioDbContext db, Actor actor, string name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var candidates = await db.ProjectsOf(actor)
            .Where(p => p.Name == name)
            .Include(p => p.Members)
            .ToListAsync(cancellationToken);
        return candidates
            .OrderBy(p => p.CreatedBy == actor.UserId ? 0 : 1)
            .ThenBy(p => p.RoleOf(actor.UserId) == ProjectRole.Viewer ? 1 : 0)
            .ThenBy(p => p.CreatedAt)
            .FirstOrDefault()
            ?? await db.AddNewProjectAsync(actor, name, now, cancellationToken);
    }

    // The roles' models come from configuration; the starter's plan must include every one the build will call.
    private async Task EnsureModelsAllowedAsync(Actor actor, CancellationToken cancellationToken)
    {
        foreach (var modelId in Enum.GetValues<AiRole>().Select(role => models.For(role).ModelId).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            await entitlements.EnsureModelAllowedAsync(actor, modelId, cancellationToken);
        }
    }

    public async Task DecideAsync(Actor actor, Guid buildId, Guid runId, int expectedVersion, Verdict verdict, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        if (await QueuesModelCallAsync(runId, verdict, cancellationToken))
        {
            await EnsureModelsAllowedAsync(actor, cancellationToken);
        }

        await ActAsync(actor, buildId, expectedVersion, cancellationToken, (build, rules, now) =>
        {
            var run = build.Runs.SingleOrDefault(r => r.Id == runId);
            var next = build.Decide(runId, verdict, new Approver(actor.UserId, actor.DisplayName), rules, now);
            var (action, detail) = verdict switch
            {
                Verdict.Approve approve => ApprovalAudit(run!, approve, rules),
                Verdict.Reject reject => (AuditActions.PhaseRejected, $"{run?.Phase} rejected: {reject.Reason.Trim()}"),
                Verdict.SendBack sendBack => (AuditActions.PhaseSentBack, $"{run?.Phase} sent back to {sendBack.Target}: {sendBack.Reason.Trim()}"),
                _ => throw new ArgumentOutOfRangeException(nameof(verdict)),
            };
            return new Change(action, "PhaseRun", runId.ToString(), detail, next, run);
        });
    }

    /// <summary>
    /// A reject or send-back runs a role again, and approving any phase but the last starts the next one: each calls the
    /// roles' models, so a plan downgraded since the start must include them (as for resume and retry). Approving the last
    /// phase completes the build and calls nothing.
    /// </summary>
    private async Task<bool> QueuesModelCallAsync(Guid runId, Verdict verdict, CancellationToken cancellationToken)
    {
        if (verdict is not Verdict.Approve)
        {
            return true;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var phase = await db.PhaseRuns.Where(r => r.Id == runId).Select(r => (Phase?)r.Phase).SingleOrDefaultAsync(cancellationToken);
        return phase is not null && phase.Value.Next() is not null;
    }

    // A partial approval is recorded as such; the one that reaches the required number is the phase's approval.
    private static (string Action, string Detail) ApprovalAudit(PhaseRun run, Verdict.Approve approve, ApprovalRules rules)
    {
        var edits = approve.EditedOutput is null ? "" : " with the reviewer's edits";
        var count = rules.RequiredApprovals == 1 ? "" : $" ({run.Approvals.Count} of {rules.RequiredApprovals} approvals)";
        return run.Status == PhaseRunStatus.AwaitingApproval
            ? (PhaseRunApproval.RecordedAction, $"{run.Phase} approval recorded{edits}{count}")
            : (AuditActions.PhaseApproved, $"{run.Phase} approved{edits}{count}");
    }

    public Task PauseAsync(Actor actor, Guid buildId, int expectedVersion, CancellationToken cancellationToken = default) =>
        ActAsync(actor, buildId, expectedVersion, cancellationToken, (build, _, now) =>
        {
            build.Hold(actor.DisplayName, now);
            return new Change(AuditActions.BuildHeld, "Build", build.Id.ToString(), build.StatusReason, null);
        });

    // Resuming and retrying call the roles' models again: a plan downgraded since the start must include them too.
    public async Task ResumeAsync(Actor actor, Guid buildId, int expectedVersion, CancellationToken cancellationToken = default)
    {
        await EnsureModelsAllowedAsync(actor, cancellationToken);
        await ActAsync(actor, buildId, expectedVersion, cancellationToken, (build, _, now) =>
        {
            var queued = build.Resume(now);
            return new Change(AuditActions.BuildResumed, "Build", build.Id.ToString(), $"Resumed at {build.State}", queued);
        });
    }

    public Task CancelAsync(Actor actor, Guid buildId, int expectedVersion, string reason, CancellationToken cancellationToken = default) =>
        ActAsync(actor, buildId, expectedVersion, cancellationToken, (build, _, now) =>
        {
            build.Cancel(reason, actor.DisplayName, now);
            return new Change(AuditActions.BuildCancelled, "Build", build.Id.ToString(), build.StatusReason, null);
        });

    public async Task RetryAsync(Actor actor, Guid buildId, int expectedVersion, CancellationToken cancellationToken = default)
    {
        await EnsureModelsAllowedAsync(actor, cancellationToken);
        await ActAsync(actor, buildId, expectedVersion, cancellationToken, (build, _, now) =>
        {
            var run = build.Retry(now);
            return new Change(AuditActions.RunRetried, "PhaseRun", run.Id.ToString(), $"{run.Phase} retried as attempt {run.Attempt}", run);
        });
    }

    /// <param name="Decided">The attempt a verdict was given on: its prompt version, model and cost go on the record.</param>
    private sealed record Change(string Action, string EntityType, string EntityId, string? Detail, PhaseRun? Queued, PhaseRun? Decided = null);

    /// <summary>One decision: load with access and version checks; change, audit, notify and schedule in the same transaction.</summary>
    private async Task ActAsync(Actor actor, Guid buildId, int expectedVersion, CancellationToken cancellationToken, Func<Build, ApprovalRules, DateTimeOffset, Change> act)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var build = await LoadForDecisionAsync(db, actor, buildId, expectedVersion, cancellationToken);
        var rules = await db.Projects.Where(p => p.Id == build.ProjectId)
            .Select(p => new ApprovalRules(p.RequireSeparateApprover, p.RequiredApprovals))
            .SingleAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var before = build.State;
        var change = act(build, rules, now);

        var decided = change.Decided;
        db.AuditEvents.Add(AuditEvent.Create(now, actor.UserId, actor.DisplayName, change.Action, change.EntityType, change.EntityId,
            build.ProjectId, build.Id, before: before.ToString(), after: build.State.ToString(), detail: change.Detail,
            promptVersion: decided?.PromptVersion, modelId: decided?.ModelId,
            inputTokens: decided?.InputTokens, outputTokens: decided?.OutputTokens, cost: decided?.Cost));
        if (build.State == BuildState.Complete && before != BuildState.Complete)
        {
            db.AuditEvents.Add(AuditEvent.Create(now, actor.UserId, actor.DisplayName, AuditActions.BuildCompleted, "Build",
                build.Id.ToString(), build.ProjectId, build.Id, before: before.ToString(), after: build.State.ToString()));
        }

        db.AddNotice(new BuildChanged(build.Id, build.ProjectId, build.State, change.Action), now);
        if (change.Queued is not null)
        {
            db.AddNotice(new ScheduleRun(change.Queued.Id), now);
        }

        await SaveAsync(db, cancellationToken);
        logger.LogInformation("Build {BuildId}: {Action} on {EntityType} {EntityId} by user {UserId}, {Before} to {After}",
            build.Id, change.Action, change.EntityType, change.EntityId, actor.UserId, before, build.State);
    }

    private static async Task<Build> LoadForDecisionAsync(AiStudioDbContext db, Actor actor, Guid buildId, int expectedVersion, CancellationToken cancellationToken)
    {
        var build = await db.VisibleTo(actor).Include(b => b.Runs).ThenInclude(r => r.Approvals).AsSingleQuery().SingleOrDefaultAsync(b => b.Id == buildId, cancellationToken)
            ?? throw new NotFoundException("That build");
        if (!await db.DecidableBy(actor).AnyAsync(b => b.Id == buildId, cancellationToken))
        {
            throw new DomainException("You can view this build but not decide on it: ask a project owner to make you an editor.");
        }

        if (build.Version != expectedVersion)
        {
            throw StaleBuild();
        }

        return build;
    }

    private static async Task SaveAsync(AiStudioDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (SaveConflicts.Lost(e))
        {
            throw StaleBuild();
        }
        catch (Exception e) when (DatabaseBusy.Is(e))
        {
            throw DatabaseBusy.Refused(db, "your change to the build");
        }
    }

    private static ConcurrencyConflictException StaleBuild() =>
        new("Someone else acted on this build a moment ago, so your decision was not applied. The page now shows the latest state; decide again if it still applies.");
}
