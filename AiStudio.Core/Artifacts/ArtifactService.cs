using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Core.Artifacts;

internal sealed class ArtifactService(IDbContextFactory<AiStudioDbContext> contexts, TimeProvider clock) : IArtifactService
{
    public async Task<PhaseArtifacts?> GetPhaseArtifactsAsync(Actor actor, Guid buildId, Guid runId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var found = await db.PhaseRuns.AsNoTracking()
            .Where(r => r.Id == runId && r.BuildId == buildId)
            .Join(db.VisibleTo(actor), r => r.BuildId, b => b.Id, (r, b) => new { Run = r, b.Title })
            .SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return null;
        }

        var run = found.Run;
        return new PhaseArtifacts(buildId, found.Title, run.Id, run.Phase, run.Attempt, ArtifactFiles.For(run.Phase, run.HandedOnOutput));
    }

    public async Task<ArtifactFile?> ExportBuildAsync(Actor actor, Guid buildId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var build = await db.VisibleTo(actor).Include(b => b.Runs).AsNoTracking().SingleOrDefaultAsync(b => b.Id == buildId, cancellationToken);
        if (build is null)
        {
            return null;
        }

        var projectName = await db.Projects.Where(p => p.Id == build.ProjectId).Select(p => p.Name).SingleAsync(cancellationToken);
        var startedBy = await db.Users.Where(u => u.Id == build.CreatedBy).Select(u => u.UserName).SingleOrDefaultAsync(cancellationToken) ?? build.CreatedBy;
        var audit = await db.AuditEvents.AsNoTracking()
            .Where(e => e.BuildId == buildId)
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id)
            .ToListAsync(cancellationToken);

        var snapshot = new BuildSnapshot(build, projectName, startedBy, audit, clock.GetUtcNow());
        return new ArtifactFile(BuildExport.FileName(build.Title), ArtifactFiles.Zip, BuildExport.Zip(snapshot));
    }
}
