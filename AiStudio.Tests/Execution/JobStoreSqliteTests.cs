using AiStudio.Core.Execution;
using AiStudio.Tests.Support;

namespace AiStudio.Tests.Execution;

public sealed class JobStoreSqliteTests
{
    [Fact]
    public async Task JobStoreConnection_Opened_HasSynchronousNormalAsTheAppsDatabaseHas()
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
            Assert.Equal(1L, await command.ExecuteScalarAsync()); // 1 is NORMAL; a plain connection has 2 (FULL)
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
