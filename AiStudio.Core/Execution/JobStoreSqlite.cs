using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace AiStudio.Core.Execution;

/// <summary>
/// Microsoft.Data.Sqlite for Quartz's job store, with <c>synchronous=NORMAL</c> on each connection it opens, as the app's own
/// database has (see <see cref="Persistence.SqlitePragmas"/>): with the WAL journal a commit then no longer waits for the disk,
/// which was most of the time Quartz took to store the next run's job. The setting belongs to the connection, not the file,
/// so it cannot be set once when the store is created.
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
