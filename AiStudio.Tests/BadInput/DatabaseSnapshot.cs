using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.BadInput;

/// <summary>
/// Enough of the database to see that nothing changed: the rows of every table, the sums of the app-set
/// versions (every change bumps one), the revoked tokens, and the newest audit event.
/// </summary>
public sealed record DatabaseSnapshot(
    int Users,
    int Projects,
    int Members,
    int Builds,
    int Runs,
    int Approvals,
    int Prompts,
    int Messages,
    int Tokens,
    int RevokedTokens,
    int LockedUsers,
    long BuildVersions,
    long ProjectVersions,
    long RunVersions,
    long AuditEvents,
    long NewestAuditEvent)
{
    public static async Task<DatabaseSnapshot> TakeAsync(IServiceProvider services)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<AiStudioDbContext>>().CreateDbContextAsync();
        return new DatabaseSnapshot(
            await db.Users.CountAsync(),
            await db.Projects.CountAsync(),
            await db.ProjectMembers.CountAsync(),
            await db.Builds.CountAsync(),
            await db.PhaseRuns.CountAsync(),
            await db.PhaseRunApprovals.CountAsync(),
            await db.RolePrompts.CountAsync(),
            await db.ConversationMessages.CountAsync(),
            await db.ApiTokens.CountAsync(),
            await db.ApiTokens.CountAsync(t => t.RevokedAt != null),
            await db.Users.CountAsync(u => u.LockoutEnd != null),
            await db.Builds.SumAsync(b => (long)b.Version),
            await db.Projects.SumAsync(p => (long)p.Version),
            await db.PhaseRuns.SumAsync(r => (long)r.Version),
            await db.AuditEvents.LongCountAsync(),
            await db.AuditEvents.MaxAsync(e => (long?)e.Id) ?? 0);
    }
}
