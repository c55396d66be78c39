using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Persistence;

public sealed class SqlitePragmasTests
{
    [Fact]
    public async Task AppConnection_Opened_CommitsDurablyUnderWal()
    {
        await using var app = await TestAppHost.StartAsync();
        await using var db = await app.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();

        command.CommandText = "PRAGMA synchronous;";
        var synchronous = await command.ExecuteScalarAsync();
        command.CommandText = "PRAGMA journal_mode;";
        var journal = await command.ExecuteScalarAsync();

        // 2 is FULL: a commit returns once the write-ahead log is on disk, so an acknowledged approval survives a power cut.
        Assert.Equal((2L, "wal"), (synchronous, journal));
    }
}
