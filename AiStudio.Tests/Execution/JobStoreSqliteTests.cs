using AiStudio.Core.Execution;
using AiStudio.Tests.Support;

namespace AiStudio.Tests.Execution;

public sealed class JobStoreSqliteTests
{
    [Fact]
    public async Task JobStoreConnection_Opened_HasSynchronousNormal()
    {
        var folder = TestAppHost.NewDataDirectory();
        Directory.CreateDirectory(folder);
        try
        {
            await using var connection = JobStoreSqliteFactory.Instance.CreateConnection();
            connection.ConnectionString = $"Data Source={Path.Combine(folder, "jobs.db")};Pooling=False";

            await connection.OpenAsync();

            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous;";
            // 1 is NORMAL: a lost job is made again from the app database at start (see OutboxDispatchTests); a plain connection has 2 (FULL).
            Assert.Equal(1L, await command.ExecuteScalarAsync());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
