using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Core.Audit;

/// <summary>
/// Records an event that has no business transaction of its own to ride in, such as a sign-in.
/// Changes to the domain add their event to their own DbContext instead, so both commit together.
/// </summary>
public interface IAuditLog
{
    Task RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default);
}

internal sealed class AuditLog(IDbContextFactory<AiStudioDbContext> contexts) : IAuditLog
{
    public async Task RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.AuditEvents.Add(auditEvent);
        await db.SaveChangesAsync(cancellationToken);
    }
}
