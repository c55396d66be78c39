using AiStudio.Core.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiStudio.Web.Observability;

/// <summary>
/// Ready when the database answers a real query within a few seconds, takes a write (begun and rolled back, so nothing is
/// stored) and has every migration applied. A database that answers reads but refuses writes (a read-only file, a full disk,
/// a server in read-only mode) cannot run a build, so it is not ready.
/// </summary>
internal sealed class DatabaseHealthCheck(IDbContextFactory<AiStudioDbContext> contexts) : IHealthCheck
{
    // A locked SQLite file makes a query wait for the lock; a probe must answer long before a load balancer gives up.
    internal static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(3);

    // Touches no row, but a read-only database refuses it, and inside a transaction SQLite takes its write lock for it.
    private const string WriteProbe = "UPDATE \"__EFMigrationsHistory\" SET \"ProductVersion\" = \"ProductVersion\" WHERE 1 = 0";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var step = "did not answer a query";
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            db.Database.SetCommandTimeout(QueryTimeout);
            if (db.Database.IsSqlite())
            {
                await ProbeSqliteAsync(db.Database.GetConnectionString()!, write: false, cancellationToken);
            }

            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                return HealthCheckResult.Unhealthy($"The database lacks {pending.Count} migration(s), the first being {pending[0]}.");
            }

            var prompts = await db.RolePrompts.CountAsync(p => p.IsActive, cancellationToken);

            step = "answered a query but cannot take a write";
            if (db.Database.IsSqlite())
            {
                await ProbeSqliteAsync(db.Database.GetConnectionString()!, write: true, cancellationToken);
            }

            await using (var probe = await db.Database.BeginTransactionAsync(cancellationToken))
            {
                await db.Database.ExecuteSqlRawAsync(WriteProbe, cancellationToken);
                await probe.RollbackAsync(cancellationToken);
            }

            return HealthCheckResult.Healthy($"The database answered a query ({prompts} active role prompts), takes writes and has every migration applied.");
        }
        catch (Exception e)
        {
            // Whatever failed, and however (a driver error, the probe's own timeout, the check's deadline): a sentence, never
            // the driver's message.
            return HealthCheckResult.Unhealthy($"The database {step}: {DatabaseFailure.Describe(e)}.");
        }
    }

    // The app's own SQLite connections wait out a lock for the app's busy timeout (tens of seconds) from the moment they
    // open; the probe uses a connection of its own that gives up after the probe's timeout. BEGIN IMMEDIATE takes the write
    // lock, so a file that another program holds or that cannot be written is seen here, not at the next person's save.
    private static async Task ProbeSqliteAsync(string connectionString, bool write, CancellationToken cancellationToken)
    {
        var seconds = (int)QueryTimeout.TotalSeconds;
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = false, DefaultTimeout = seconds };
        await using var connection = new SqliteConnection(builder.ToString());
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA busy_timeout = {seconds * 1000};";
        await command.ExecuteNonQueryAsync(cancellationToken);
        command.CommandText = write ? $"BEGIN IMMEDIATE; {WriteProbe}; ROLLBACK;" : "SELECT COUNT(*) FROM \"__EFMigrationsHistory\";";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
