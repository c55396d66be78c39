using AiStudio.Core.Persistence;
using AiStudio.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Persistence;

public sealed class MigrationsTests
{
    [Fact]
    public void HasPendingModelChanges_Sqlite_False()
    {
        using var db = DesignTimeContexts.Sqlite();

        Assert.False(db.Database.HasPendingModelChanges(), "The model changed without a SQLite migration: see AiStudioDbContext's remarks.");
    }

    [Fact]
    public void HasPendingModelChanges_SqlServer_False()
    {
        // Compares the model with the snapshot only: no SQL Server is contacted.
        using var db = DesignTimeContexts.SqlServer();

        Assert.False(db.Database.HasPendingModelChanges(), "The model changed without a SQL Server migration: see AiStudioDbContext's remarks.");
    }

    [Fact]
    public void HasPendingModelChanges_PostgreSql_False()
    {
        using var db = DesignTimeContexts.PostgreSql();

        Assert.False(db.Database.HasPendingModelChanges(), "The model changed without a PostgreSQL migration: see AiStudioDbContext's remarks.");
    }

    [Fact]
    public void GetMigrations_EveryProvider_SameNamesInSameOrder()
    {
        using var sqlite = DesignTimeContexts.Sqlite();
        using var sqlServer = DesignTimeContexts.SqlServer();
        using var postgreSql = DesignTimeContexts.PostgreSql();

        var sqliteNames = sqlite.Database.GetMigrations().Select(NameOf).ToList();
        var sqlServerNames = sqlServer.Database.GetMigrations().Select(NameOf).ToList();
        var postgreSqlNames = postgreSql.Database.GetMigrations().Select(NameOf).ToList();

        Assert.NotEmpty(sqliteNames);
        Assert.Equal(sqliteNames, sqlServerNames);

        // PostgreSQL joined later: its first migration creates the model as the others had it then; every one after is shared.
        var sincePostgreSql = sqliteNames[(sqliteNames.IndexOf(LastBeforePostgreSql) + 1)..];
        Assert.Equal(["InitialCreate", .. sincePostgreSql], postgreSqlNames);
    }

    [Fact]
    public async Task MigrateAsync_FreshSqliteFile_AppliesEveryMigrationAndCreatesTables()
    {
        var folder = TestAppHost.NewDataDirectory();
        var file = Path.Combine(folder, "fresh.db");
        try
        {
            await using (var db = DesignTimeContexts.Sqlite($"Data Source={file}"))
            {
                await db.Database.MigrateAsync();

                Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
                Assert.Empty(await db.Database.GetPendingMigrationsAsync());
                Assert.Equal(0, await db.Builds.CountAsync());
            }

            var tables = await TablesAsync(file);
            Assert.Superset(
                new HashSet<string> { "AspNetUsers", "Projects", "ProjectMembers", "Builds", "PhaseRuns", "RolePrompts", "ConversationMessages", "AuditEvents" },
                tables);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            TestAppHost.TryDelete(folder);
        }
    }

    private const string LastBeforePostgreSql = "BoardUpdatedAtIndex";

    // Migration ids are "yyyyMMddHHmmss_Name"; the providers' timestamps differ by the seconds between the two commands.
    private static string NameOf(string migrationId) => migrationId[(migrationId.IndexOf('_') + 1)..];

    private static async Task<HashSet<string>> TablesAsync(string file)
    {
        await using var connection = new SqliteConnection($"Data Source={file}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
        var tables = new HashSet<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }
}
