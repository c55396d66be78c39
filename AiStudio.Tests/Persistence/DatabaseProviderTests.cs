using System.Data.Common;
using AiStudio.Core.Audit;
using AiStudio.Core.Persistence;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Persistence;

/// <summary>
/// What each provider's database does with the model: the migrations on an empty database, and times as the
/// application holds them. Runs on SQLite and, in its pass, on PostgreSQL.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class DatabaseProviderTests
{
    [Fact]
    public async Task MigrateAsync_EmptyDatabase_AppliesEveryMigrationAndCreatesTables()
    {
        var folder = TestAppHost.NewDataDirectory();
        try
        {
            await using var db = TestDatabase.CreateEmpty(folder);
            Assert.Empty(await db.Database.GetAppliedMigrationsAsync());

            await db.Database.MigrateAsync();

            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.Equal(0, await db.Builds.CountAsync());
            Assert.Superset(
                new HashSet<string> { "AspNetUsers", "Projects", "ProjectMembers", "Builds", "PhaseRuns", "RolePrompts", "ConversationMessages", "AuditEvents" },
                await TablesAsync(db));

            // PostgreSQL keeps times readable as timestamptz; SQLite as UTC ticks, which it can order and compare.
            Assert.Equal(TestDatabase.IsPostgreSql ? "timestamp with time zone" : "INTEGER", await ColumnTypeAsync(db, "Builds", "CreatedAt"));
        }
        finally
        {
            TestAppHost.TryDelete(folder);
        }
    }

    [Fact]
    public async Task SaveChanges_TimeWithTenthsOfAMicrosecondAndAnOffset_ReadsBackAsTheEntityHoldsIt()
    {
        await using var app = await TestAppHost.StartAsync();

        // 26.5358979 s past the minute at UTC+05:30: the last digit is a tenth of a microsecond.
        var written = new DateTimeOffset(2026, 3, 14, 15, 9, 26, TimeSpan.FromHours(5.5)).AddTicks(5_358_979);
        var saved = AuditEvent.Create(written, "user-1", "Person 1", AuditActions.SignedIn, "User", "user-1");
        await using (var db = await app.CreateDbContextAsync())
        {
            db.AuditEvents.Add(saved);
            await db.SaveChangesAsync();
        }

        // timestamptz keeps whole microseconds, and the save cut the entity's time to what the column keeps; SQLite keeps ticks.
        var kept = TestDatabase.IsPostgreSql ? written.AddTicks(-9) : written;
        Assert.Equal((kept.UtcTicks, written.Offset), (saved.OccurredAt.UtcTicks, saved.OccurredAt.Offset));

        await using var read = await app.CreateDbContextAsync();
        var stored = await read.AuditEvents.AsNoTracking().SingleAsync(e => e.Id == saved.Id);
        Assert.Equal(saved.OccurredAt, stored.OccurredAt);
        Assert.Equal(saved.OccurredAt.UtcTicks, stored.OccurredAt.UtcTicks);

        // Every provider reads times back in UTC, the offset they were written with is not kept.
        Assert.Equal(TimeSpan.Zero, stored.OccurredAt.Offset);

        // The time the application holds finds its row, as a comparison or a paging cursor would.
        Assert.Equal([saved.Id], await read.AuditEvents.Where(e => e.OccurredAt == saved.OccurredAt).Select(e => e.Id).ToListAsync());
    }

    private static async Task<HashSet<string>> TablesAsync(AiStudioDbContext db) =>
        [.. await QueryAsync(db, TestDatabase.IsPostgreSql
            ? "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            : "SELECT name FROM sqlite_master WHERE type = 'table'")];

    private static async Task<string?> ColumnTypeAsync(AiStudioDbContext db, string table, string column) =>
        (await QueryAsync(db, TestDatabase.IsPostgreSql
            ? $"SELECT data_type FROM information_schema.columns WHERE table_name = '{table}' AND column_name = '{column}'"
            : $"SELECT type FROM pragma_table_info('{table}') WHERE name = '{column}'")).SingleOrDefault();

    private static async Task<List<string>> QueryAsync(AiStudioDbContext db, string sql)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        try
        {
            await using DbCommand command = connection.CreateCommand();
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync();
            var values = new List<string>();
            while (await reader.ReadAsync())
            {
                values.Add(reader.GetString(0));
            }

            return values;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
