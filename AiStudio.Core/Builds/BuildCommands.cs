using AiStudio.Core.Audit;
using AiStudio.Core.Billing;
using AiStudio.Core.Common;
using AiStudio.Core.Execution;
using AiStudio.Core.Persistence;
using AiStudio.Core.Projects;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Core.Builds;

internal sealed class BuildCommands(
    IDbContextFactory<AiStudioDbContext> contexts,
    IPhaseRunScheduler scheduler,
    IBuildEvents events,
    IEntitlementService entitlements,
    TimeProvider clock) : IBuildCommands
{
    public async Task<Guid> StartAsync(Actor actor, NewBuildRequest request, CancellationToken cancellationToken = default)
    {
        NewBuildValidator.Validate(request);
        await entitlements.EnsureCanStartBuildAsync(actor, cancellationToken);
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        var projectName = request.ProjectName.Trim();
        var project = await db.Projects
            .Where(p => p.Name == projectName && p.Members.Any(m => m.UserId == actor.UserId))
            .Include(p => p.Members)
            .FirstOrDefaultAsync(cancellationToken);
        if (project is null)
        {
            project = Project.Create(projectName, actor.UserId, now);
            db.Projects.Add(project);
            db.AuditEvents.Add(AuditEvent.Create(now, actor.UserId, actor.DisplayName, AuditActions.ProjectCreated, "Project",
                project.Id.ToString(), project.Id, after: project.Name));
        }
        else if (project.Members.Single(m => m.UserId == actor.UserId).Role == ProjectRole.Viewer)
        {
            throw new DomainException($"You are a viewer of {project.Name} and cannot start builds there.");
        }

        var build = Build.Create(project.Id, request.Title, request.Requirements, actor.UserId, now, request.Governance);
        var run = build.Start(now);
        db.Builds.Add(build);
        db.AuditEvents.Add(AuditEvent.Create(now, actor.UserId, actor.DisplayName, AuditActions.BuildStarted, "Build",
            build.Id.ToString(), project.Id, build.Id, before: nameof(BuildState.Created), after: build.State.ToString(),
            detail: $"{build.Title} ({build.Policy} approval, rework cap {build.ReworkCap}{(build.CostBudget is { } budget ? $", budget {budget:0.00} USD" : "")})"));
        await db.SaveChangesAsync(cancellationToken);

        events.Publish(new BuildChanged(build.Id, project.Id, build.State, "started"));
        await scheduler.ScheduleAsync(run.Id, cancellationToken);
        return build.Id;
    }

    public Task DecideAsync(Actor actor, Guid buildId, Guid runId, int expectedVersion, Verdict verdict, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        return ActAsync(actor, buildId, expectedVersion, cancellationToken, (build, now) =>
        {
            var phase = build.Runs.SingleOrDefault(r => r.Id == runId)?.Phase;
            var next = build.Decide(runId, verdict, actor.DisplayName, now);
            var (action, detail) = verdict switch
            {
                Verdict.Approve { EditedOutput: not null } => (AuditActions.PhaseApproved, $"{phase} approved with the reviewer's edits"),
                Verdict.Approve => (AuditActions.PhaseApproved, $"{phase} approved"),
                Verdict.Reject reject => (AuditActions.PhaseRejected, $"{phase} rejected: {reject.Reason.Trim()}"),
                Verdict.SendBack sendBack => (AuditActions.PhaseSentBack, $"{phase} sent back to {sendBack.Target}: {sendBack.Reason.Trim()}"),
                _ => throw new ArgumentOutOfRangeException(nameof(verdict)),
            };
            return new Change(action, "PhaseRun", runId.ToString(), detail, next);
        });
    }

    public Task PauseAsync(Actor actor, Guid buildId, int expectedVersion, CancellationToken cancellationToken = default) =>
        ActAsync(actor, buildId, expectedVersion, cancellationToken, (build, now) =>
        {
            build.Hold(actor.DisplayName, now);
            return new Change(AuditActions.BuildHeld, "Build", build.Id.ToString(), build.StatusReason, null);
        });

    public Task ResumeAsync(Actor actor, Guid buildId, int expectedVersion, CancellationToken cancellationToken = default) =>
        ActAsync(actor, buildId, expectedVersion, cancellationToken, (build, now) =>
        {
            var queued = build.Resume(now);
            return new Change(AuditActions.BuildResumed, "Build", build.Id.ToString(), $"Resumed at {build.State}", queued);
        });

    public Task CancelAsync(Actor actor, Guid buildId, int expectedVersion, string reason, CancellationToken cancellationToken = default) =>
        ActAsync(actor, buildId, expectedVersion, cancellationToken, (build, now) =>
        {
            build.Cancel(reason, actor.DisplayName, now);
            return new Change(AuditActions.BuildCancelled, "Build", build.Id.ToString(), build.StatusReason, null);
        });

    public Task RetryAsync(Actor actor, Guid buildId, int expectedVersion, CancellationToken cancellationToken = default) =>
        ActAsync(actor, buildId, expectedVersion, cancellationToken, (build, now) =>
        {
            var run = build.Retry(now);
            return new Change(AuditActions.RunRetried, "PhaseRun", run.Id.ToString(), $"{run.Phase} retried as attempt {run.Attempt}", run);
        });

    private sealed record Change(string Action, string EntityType, string EntityId, string? Detail, PhaseRun? Queued);

    /// <summary>One decision: load with access and version checks, change, audit in the same transaction, notify, schedule.</summary>
    private async Task ActAsync(Actor actor, Guid buildId, int expectedVersion, CancellationToken cancellationToken, Func<Build, DateTimeOffset, Change> act)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var build = await LoadForDecisionAsync(db, actor, buildId, expectedVersion, cancellationToken);
        var now = clock.GetUtcNow();
        var before = build.State;
        var change = act(build, now);

        db.AuditEvents.Add(AuditEvent.Create(now, actor.UserId, actor.DisplayName, change.Action, change.EntityType, change.EntityId,
            build.ProjectId, build.Id, before: before.ToString(), after: build.State.ToString(), detail: change.Detail));
        if (build.State == BuildState.Complete && before != BuildState.Complete)
        {
            db.AuditEvents.Add(AuditEvent.Create(now, actor.UserId, actor.DisplayName, AuditActions.BuildCompleted, "Build",
                build.Id.ToString(), build.ProjectId, build.Id, before: before.ToString(), after: build.State.ToString()));
        }

        await SaveAsync(db, cancellationToken);
        events.Publish(new BuildChanged(build.Id, build.ProjectId, build.State, change.Action));
        if (change.Queued is not null)
        {
            await scheduler.ScheduleAsync(change.Queued.Id, cancellationToken);
        }
    }

    private static async Task<Build> LoadForDecisionAsync(AiStudioDbContext db, Actor actor, Guid buildId, int expectedVersion, CancellationToken cancellationToken)
    {
        var build = await db.VisibleTo(actor).Include(b => b.Runs).SingleOrDefaultAsync(b => b.Id == buildId, cancellationToken)
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
        catch (DbUpdateConcurrencyException)
        {
            throw StaleBuild();
        }
    }

    private static ConcurrencyConflictException StaleBuild() =>
        new("Someone else acted on this build a moment ago, so your decision was not applied. The page now shows the latest state; decide again if it still applies.");
}
