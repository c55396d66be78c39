using AiStudio.Core.Builds;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Support;

/// <summary>Waits on the database, the source of truth, for what the worker does in the background.</summary>
public static class RunWaits
{
    // A ceiling for work on other threads, not an expectation: a loaded 2-core machine runs several test hosts at once.
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task<PhaseRun> ForRunAsync(this TestAppHost app, Guid buildId, Phase phase, int attempt, PhaseRunStatus status, TimeSpan? timeout = null)
    {
        PhaseRun? run = null;
        await Eventually.Until(
            async () =>
            {
                await using var db = await app.CreateDbContextAsync();
                run = await db.PhaseRuns.AsNoTracking().SingleOrDefaultAsync(r => r.BuildId == buildId && r.Phase == phase && r.Attempt == attempt);
                return run?.Status == status;
            },
            timeout ?? Timeout,
            () => $"{phase} attempt {attempt} of build {buildId} should become {status}; it is {run?.Status.ToString() ?? "missing"}");
        return run!;
    }
}
