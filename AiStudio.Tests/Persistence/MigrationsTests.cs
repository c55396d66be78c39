using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

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

    public static TheoryData<string> Providers() => [nameof(DesignTimeContexts.Sqlite), nameof(DesignTimeContexts.SqlServer), nameof(DesignTimeContexts.PostgreSql)];

    /// <summary>
    /// The script a DBA applies by hand (README), generated as <c>dotnet ef migrations script --idempotent</c> does, with no
    /// server contacted: every migration translates to the provider's SQL and together they create every table of the
    /// model. For SQL Server, which no machine here runs, this is the check that its migrations are SQL it accepts in form.
    /// EF Core cannot make SQLite's idempotent; its script creates the database from empty.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public void GenerateScript_AsTheReadmeSays_CreatesEveryTableOfTheModel(string provider)
    {
        using AiStudioDbContext db = provider switch
        {
            nameof(DesignTimeContexts.Sqlite) => DesignTimeContexts.Sqlite(),
            nameof(DesignTimeContexts.SqlServer) => DesignTimeContexts.SqlServer(),
            _ => DesignTimeContexts.PostgreSql(),
        };

        var script = db.GetService<IMigrator>().GenerateScript(options: provider == nameof(DesignTimeContexts.Sqlite)
            ? MigrationsSqlGenerationOptions.Default
            : MigrationsSqlGenerationOptions.Idempotent);

        var tables = db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>().Distinct().ToList();
        Assert.Contains("OutboxMessages", tables);
        var quote = provider == nameof(DesignTimeContexts.SqlServer) ? ("[", "]") : ("\"", "\"");
        Assert.All(tables, table => Assert.Contains($"CREATE TABLE {quote.Item1}{table}{quote.Item2}", script));
        Assert.All(db.Database.GetMigrations(), id => Assert.Contains(id, script));
    }

    private const string LastBeforePostgreSql = "BoardUpdatedAtIndex";

    // Migration ids are "yyyyMMddHHmmss_Name"; the providers' timestamps differ by the seconds between the two commands.
    private static string NameOf(string migrationId) => migrationId[(migrationId.IndexOf('_') + 1)..];
}
