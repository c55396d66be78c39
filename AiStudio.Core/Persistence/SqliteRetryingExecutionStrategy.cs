using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage;

namespace AiStudio.Core.Persistence;

/// <summary>
/// SQLite's failures that are over as soon as they are reported: a table lock held by another connection sharing the
/// cache (SQLITE_LOCKED), and a read snapshot that another writer overtook before it could write (SQLITE_BUSY_SNAPSHOT).
/// Both are tried again from the start of the unit. A plain SQLITE_BUSY is not: it comes back only after the busy
/// timeout was waited out, and the person is told instead (<see cref="DatabaseBusy"/>).
/// </summary>
/// <remarks>
/// Being a retrying strategy, it also refuses a transaction opened outside <c>CreateExecutionStrategy().ExecuteAsync</c>,
/// as SQL Server's and PostgreSQL's do: code that would fail on a server database fails here first.
/// </remarks>
internal sealed class SqliteRetryingExecutionStrategy(ExecutionStrategyDependencies dependencies)
    : ExecutionStrategy(dependencies, maxRetryCount: 3, maxRetryDelay: TimeSpan.FromSeconds(1))
{
    private const int SqliteLocked = 6;
    private const int SqliteBusySnapshot = 5 | (2 << 8);

    protected override bool ShouldRetryOn(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteLocked } or SqliteException { SqliteExtendedErrorCode: SqliteBusySnapshot };
}
