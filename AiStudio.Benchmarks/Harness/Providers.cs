using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Benchmarks.Harness;

/// <summary>What a host's database is and whether its commits are durable, as its connections report it.</summary>
/// <param name="Settings">For the report: provider, version and the settings that decide durability.</param>
/// <param name="Durability">What a commit waits for, in a few words.</param>
/// <param name="Synchronous">SQLite's synchronous setting on the app's connections (FULL on PostgreSQL, where it does not apply).</param>
public sealed record DatabaseDescription(DatabaseProvider Provider, string Settings, string Durability, string Synchronous);

public static class Providers
{
    public static string Name(DatabaseProvider provider) => provider == DatabaseProvider.PostgreSql ? "PostgreSQL" : "SQLite";

    /// <summary>
    /// Reads the settings from a connection of the app's own. A full run refuses a PostgreSQL server that does not sync its
    /// commits (fsync or synchronous_commit off): its figures would not be the durable ones.
    /// </summary>
    public static async Task<DatabaseDescription> DescribeAsync(CoreHost host, Scale scale, CancellationToken cancellationToken)
    {
        if (host.Database.Provider == DatabaseProvider.PostgreSql)
        {
            var (version, durable, settings) = await PostgresServer.DescribeAsync(host.Database.ConnectionString, cancellationToken);
            if (!durable && !scale.IsSmoke)
            {
                throw new InvalidOperationException(
                    $"The PostgreSQL server runs with {settings}: its commits do not wait for the disk, so these would not be the durable figures. " +
                    $"Unset {PostgresServer.Variable} to let the benchmark start a durable cluster, or point it at one with fsync on.");
            }

            return new DatabaseDescription(DatabaseProvider.PostgreSql, $"{version}, {settings}, {PostgresServer.Origin}",
                durable ? "each commit waits for PostgreSQL to flush its WAL to the disk" : "commits do not wait for the disk (fsync off: smoke run only)", "FULL");
        }

        await using var db = await host.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        var journal = await PragmaAsync(connection, "journal_mode", cancellationToken);
        var synchronous = await PragmaAsync(connection, "synchronous", cancellationToken);
        return new DatabaseDescription(DatabaseProvider.Sqlite,
            $"SQLite journal_mode={journal}, synchronous={synchronous} (Quartz's jobs.db: synchronous=NORMAL)",
            synchronous is "FULL" or "EXTRA" ? "synchronous=FULL: each commit waits for the WAL to reach the disk" : $"synchronous={synchronous}",
            synchronous);
    }

    private static async Task<string> PragmaAsync(System.Data.Common.DbConnection connection, string name, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name};";
        var value = Convert.ToString(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) ?? "";
        return name == "synchronous" ? value switch { "0" => "OFF", "1" => "NORMAL", "2" => "FULL", "3" => "EXTRA", _ => value } : value;
    }
}
