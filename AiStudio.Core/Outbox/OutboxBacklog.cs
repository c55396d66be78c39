using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Core.Outbox;

/// <param name="Waiting">Messages not handed on although written longer ago than asked.</param>
/// <param name="OldestSince">When the oldest of them was written.</param>
/// <param name="LastError">Why the most recently tried of them was refused.</param>
public sealed record OutboxBacklog(int Waiting, DateTimeOffset? OldestSince, string? LastError);

/// <summary>What the outbox still owes: for the readiness probe, which says in words when hand-offs keep failing.</summary>
public interface IOutboxMonitor
{
    Task<OutboxBacklog> OverdueAsync(TimeSpan writtenLongerAgoThan, CancellationToken cancellationToken = default);
}

internal sealed class OutboxMonitor(IDbContextFactory<AiStudioDbContext> contexts, TimeProvider clock) : IOutboxMonitor
{
    public async Task<OutboxBacklog> OverdueAsync(TimeSpan writtenLongerAgoThan, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var before = clock.GetUtcNow() - writtenLongerAgoThan;
        var overdue = db.OutboxMessages.AsNoTracking().Where(m => m.DispatchedAt == null && m.CreatedAt < before);
        var waiting = await overdue.CountAsync(cancellationToken);
        if (waiting == 0)
        {
            return new OutboxBacklog(0, null, null);
        }

        var oldest = await overdue.OrderBy(m => m.Id).Select(m => m.CreatedAt).FirstAsync(cancellationToken);
        var lastError = await overdue.Where(m => m.LastError != null).OrderByDescending(m => m.DueAt).Select(m => m.LastError).FirstOrDefaultAsync(cancellationToken);
        return new OutboxBacklog(waiting, oldest, lastError);
    }
}
