using AiStudio.Core.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiStudio.Web.Observability;

/// <summary>Ready when the database answers a real query within a few seconds and has every migration applied.</summary>
internal sealed class DatabaseHealthCheck(IDbContextFactory<AiStudioDbContext> contexts) : IHealthCheck
{
    // A locked SQLite file makes a query wait for the lock; a probe must answer long before a load balancer gives up.
    internal static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            db.Database.SetCommandTimeout(QueryTimeout);
            if (db.Database.IsSqlite())
            {
                await ProbeSqliteAsync(db.Database.GetConnectionString()!, cancellationToken);
            }

            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                return HealthCheckResult.Unhealthy($"The database lacks {pending.Count} migration(s), the first being {pending[0]}.");
            }

            var prompts = await db.RolePrompts.CountAsync(p => p.IsActive, cancellationToken);
            return HealthCheckResult.Healthy($"The database answered a query ({prompts} active role prompts) and has every migration applied.");
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The database did not answer a query: {HealthDescriptions.Plain(e)}");
        }
    }

    // The app's own SQLite connections wait out a lock for the app's busy timeout (tens of seconds) from the moment they
    // open; the probe uses a connection of its own that gives up after the probe's timeout.
    private static async Task ProbeSqliteAsync(string connectionString, CancellationToken cancellationToken)
    {
        var seconds = (int)QueryTimeout.TotalSeconds;
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = false, DefaultTimeout = seconds };
        await using var connection = new SqliteConnection(builder.ToString());
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA busy_timeout = {seconds * 1000};";
        await command.ExecuteNonQueryAsync(cancellationToken);
        command.CommandText = "SELECT COUNT(*) FROM \"__EFMigrationsHistory\";";
        await command.ExecuteScalarAsync(cancellationToken);
    }
}
