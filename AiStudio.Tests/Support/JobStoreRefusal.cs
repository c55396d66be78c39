using System.Data.Common;
using AiStudio.Core.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AiStudio.Tests.Support;

/// <summary>
/// Makes Quartz's job store refuse every new job, as a full disk or a broken connection would, with a trigger on its job
/// table in the store's own database (SQLite's jobs.db in the data folder, or the folder's PostgreSQL database). Quartz
/// goes on polling meanwhile. Disposing removes the trigger.
/// </summary>
internal sealed class JobStoreRefusal : IAsyncDisposable
{
    public const string Message = "the job store refused this job (test fault)";

    private readonly DatabaseSettings _settings;

    private JobStoreRefusal(DatabaseSettings settings) => _settings = settings;

    public static async Task<JobStoreRefusal> StartAsync(string dataDirectory)
    {
        var settings = TestDatabase.DatabaseSettingsFor(dataDirectory);
        var refusal = new JobStoreRefusal(settings);
        await refusal.ExecuteAsync(settings.Provider == DatabaseProvider.PostgreSql
            ? $"""
               CREATE FUNCTION refuse_new_jobs() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{Message}'; END $$;
               CREATE TRIGGER refuse_new_jobs BEFORE INSERT ON qrtz_job_details FOR EACH ROW EXECUTE FUNCTION refuse_new_jobs();
               """
            : $"CREATE TRIGGER refuse_new_jobs BEFORE INSERT ON qrtz_job_details BEGIN SELECT RAISE(ABORT, '{Message}'); END;");
        return refusal;
    }

    /// <summary>How many jobs the store holds for <paramref name="runId"/> (0 or 1).</summary>
    public static async Task<long> JobsForRunAsync(string dataDirectory, Guid runId)
    {
        await using var connection = Open(TestDatabase.DatabaseSettingsFor(dataDirectory));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM qrtz_job_details WHERE job_name = 'run-{runId}'";
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    public async ValueTask DisposeAsync() =>
        await ExecuteAsync(_settings.Provider == DatabaseProvider.PostgreSql
            ? "DROP TRIGGER refuse_new_jobs ON qrtz_job_details; DROP FUNCTION refuse_new_jobs();"
            : "DROP TRIGGER refuse_new_jobs;");

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = Open(_settings);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static DbConnection Open(DatabaseSettings settings) => settings.Provider switch
    {
        DatabaseProvider.PostgreSql => new NpgsqlConnection(settings.ConnectionString),
        DatabaseProvider.Sqlite => new SqliteConnection(settings.JobStoreConnectionString),
        _ => throw new NotSupportedException($"No test job store on {settings.Provider}."),
    };
}
