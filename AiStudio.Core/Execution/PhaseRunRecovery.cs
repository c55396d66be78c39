using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Outbox;
using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace AiStudio.Core.Execution;

/// <summary>
/// At start, a run that was Running belonged to a process that is gone: it goes back to the queue. Every queued run is
/// then scheduled again through the outbox, in the same transaction: the app's database is the truth, so a job that
/// Quartz's store lost (its SQLite file syncs less often than the app's) is made again. The claim in
/// <see cref="PhaseRunExecutor"/> keeps a run scheduled twice to one execution.
/// </summary>
/// <remarks>On one node this is safe. Many nodes need a clustered job store and a lease per run instead.</remarks>
internal sealed class PhaseRunRecovery(
    IDbContextFactory<AiStudioDbContext> contexts,
    TimeProvider clock,
    ILogger<PhaseRunRecovery> logger)
{
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var interrupted = await db.PhaseRuns.Where(r => r.Status == PhaseRunStatus.Running).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        foreach (var run in interrupted)
        {
            run.Requeue();
            db.AuditEvents.Add(AuditEvent.Create(now, Actor.System.UserId, Actor.System.DisplayName, AuditActions.RunRequeued, "PhaseRun",
                run.Id.ToString(), buildId: run.BuildId, before: nameof(PhaseRunStatus.Running), after: nameof(PhaseRunStatus.Queued),
                detail: "The process running this attempt stopped; requeued at start."));
            logger.LogWarning("Phase run {PhaseRunId} of build {BuildId} ({Phase}) was running when the process stopped; requeued", run.Id, run.BuildId, run.Phase);
        }

        var queued = await db.PhaseRuns.Where(r => r.Status == PhaseRunStatus.Queued).Select(r => r.Id).ToListAsync(cancellationToken);
        foreach (var runId in queued.Concat(interrupted.Select(r => r.Id)))
        {
            db.AddNotice(new ScheduleRun(runId), now);
        }

        await db.SaveChangesAsync(cancellationToken);
        if (interrupted.Count + queued.Count > 0)
        {
            logger.LogInformation("Requeued {Interrupted} interrupted runs; {Queued} runs scheduled again", interrupted.Count, interrupted.Count + queued.Count);
        }
    }
}
