using AiStudio.Core.Audit;
using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Support;

/// <summary>What a person's build starts left in the database: each build, its first run and its audit row, or none of them.</summary>
internal static class StartedBuilds
{
    public static async Task AssertCountAsync(AiStudioDbContext db, string userId, int expected)
    {
        Assert.Equal(expected, await db.Builds.CountAsync(b => b.CreatedBy == userId));
        Assert.Equal(expected, await db.AuditEvents.CountAsync(e => e.ActorId == userId && e.Action == AuditActions.BuildStarted));
        Assert.Equal(expected, await db.PhaseRuns.CountAsync(r => db.Builds.Any(b => b.Id == r.BuildId && b.CreatedBy == userId)));
    }
}
