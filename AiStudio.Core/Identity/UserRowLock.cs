using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Core.Identity;

/// <summary>
/// Serializes one person's writes that must see each other, on every database: inside a transaction, an update that
/// changes nothing still takes the user's row (SQL Server, PostgreSQL) or the file (SQLite) until the transaction ends,
/// so a second transaction of the same person waits here and then reads what the first committed.
/// </summary>
internal static class UserRowLock
{
    public static Task HoldAsync(AiStudioDbContext db, string userId, CancellationToken cancellationToken) =>
        db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.ConcurrencyStamp, x => x.ConcurrencyStamp), cancellationToken);
}
