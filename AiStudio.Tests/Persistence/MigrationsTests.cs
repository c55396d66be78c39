using AiStudio.Core.Persistence;
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

    private const string LastBeforePostgreSql = "BoardUpdatedAtIndex";

    // Migration ids are "yyyyMMddHHmmss_Name"; the providers' timestamps differ by the seconds between the two commands.
    private static string NameOf(string migrationId) => migrationId[(migrationId.IndexOf('_') + 1)..];
}
