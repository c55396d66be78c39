using AiStudio.Core.Roles;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace AiStudio.Core.Persistence;

/// <summary>Applies migrations and seeds the first version of each role's system prompt.</summary>
internal sealed class DatabaseInitializer(
    IDbContextFactory<AiStudioDbContext> contexts,
    DatabaseSettings settings,
    TimeProvider clock,
    ILogger<DatabaseInitializer> logger)
{
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
        if (settings.Provider == DatabaseProvider.Sqlite)
        {
            // WAL lets the board read while the worker writes.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);

            // Quartz's store too (the mode is kept in the file): a commit then syncs the log once, where the
            // rollback journal made each stored job create, sync and delete a journal file.
            await using var jobs = new SqliteConnection(settings.JobStoreConnectionString);
            await jobs.OpenAsync(cancellationToken);
            await using var wal = jobs.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }

        var seeded = await db.RolePrompts.Select(p => p.Role).Distinct().ToListAsync(cancellationToken);
        foreach (var role in Enum.GetValues<AiRole>().Except(seeded))
        {
            db.RolePrompts.Add(RolePrompt.Create(role, 1, DefaultRolePrompts.For(role), "AiStudio", "Initial version", clock.GetUtcNow()));
        }

        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Database ready ({Provider}, data folder {DataDirectory})", settings.Provider, settings.DataDirectory);
    }
}
