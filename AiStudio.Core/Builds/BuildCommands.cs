using AiStudio.Core.Audit;
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
    TimeProvider clock) : IBuildCommands
{
    public async Task<Guid> StartAsync(Actor actor, NewBuildRequest request, CancellationToken cancellationToken = default)
    {
        NewBuildValidator.Validate(request);
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

        var build = Build.Create(project.Id, request.Title, request.Requirements, actor.UserId, now);
        var run = build.Start(now);
        db.Builds.Add(build);
        db.AuditEvents.Add(AuditEvent.Create(now, actor.UserId, actor.DisplayName, AuditActions.BuildStarted, "Build",
            build.Id.ToString(), project.Id, build.Id, before: nameof(BuildState.Created), after: build.State.ToString(), detail: build.Title));
        await db.SaveChangesAsync(cancellationToken);

        events.Publish(new BuildChanged(build.Id, project.Id, build.State, "started"));
        await scheduler.ScheduleAsync(run.Id, cancellationToken);
        return build.Id;
    }

    public async Task ApproveAsync(Actor actor, Guid buildId, Guid runId, int expectedVersion, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var build = await LoadForDecisionAsync(db, actor, buildId, expectedVersion, cancellationToken);
        var now = clock.GetUtcNow();
        var before = build.State;
        var approvedPhase = build.CurrentPhase;
        var next = build.Approve(runId, actor.DisplayName, now);

        db.AuditEvents.Add(AuditEvent.Create(now, actor.UserId, actor.DisplayName, AuditActions.PhaseApproved, "PhaseRun",
            runId.ToString(), build.ProjectId, build.Id, before: before.ToString(), after: build.State.ToString(), detail: $"{approvedPhase} approved"));
        if (build.State == BuildState.Complete)
        {
            db.AuditEvents.Add(AuditEvent.Create(now, actor.UserId, actor.DisplayName, AuditActions.BuildCompleted, "Build",
                build.Id.ToString(), build.ProjectId, build.Id, before: before.ToString(), after: build.State.ToString()));
        }

        await SaveAsync(db, cancellationToken);
        events.Publish(new BuildChanged(build.Id, build.ProjectId, build.State, "approved"));
        if (next is not null)
        {
            await scheduler.ScheduleAsync(next.Id, cancellationToken);
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
