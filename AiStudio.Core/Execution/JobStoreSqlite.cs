using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace AiStudio.Core.Execution;

/// <summary>
/// Microsoft.Data.Sqlite for Quartz's job store, with <c>synchronous=NORMAL</c> on each connection it opens: with the WAL
/// journal a commit then does not wait for the disk, which was most of the time Quartz took to store the next run's job.
/// The app's own database syncs every commit (<see cref="Persistence.SqlitePragmas"/>); this file may lose its last jobs in
/// a power cut because nothing in it is the only copy: a job carries just a queued run's id, and every queued run in the
/// app's database is scheduled again at start (<see cref="PhaseRunRecovery"/>). The setting belongs to the connection, not
/// the file, so it cannot be set once when the store is created.
/// </summary>
internal sealed class JobStoreSqliteFactory : DbProviderFactory
{
    public static readonly JobStoreSqliteFactory Instance = new();

    public override DbConnection CreateConnection() => new JobStoreSqliteConnection();

    public override DbCommand CreateCommand() => SqliteFactory.Instance.CreateCommand();

    public override DbParameter CreateParameter() => SqliteFactory.Instance.CreateParameter();

    public override DbConnectionStringBuilder CreateConnectionStringBuilder() => SqliteFactory.Instance.CreateConnectionStringBuilder();

    private sealed class JobStoreSqliteConnection : SqliteConnection
    {
        // DbConnection.OpenAsync calls Open, so this covers both.
        public override void Open()
        {
            base.Open();
            using var command = CreateCommand();
            command.CommandText = "PRAGMA synchronous = NORMAL;";
            command.ExecuteNonQuery();
        }
    }
}
