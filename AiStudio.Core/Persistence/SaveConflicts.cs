using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AiStudio.Core.Persistence;

/// <summary>What a failed save means, in the same terms on every database.</summary>
public static class SaveConflicts
{
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintPrimaryKey = SqliteConstraint | (6 << 8);
    private const int SqliteConstraintUnique = SqliteConstraint | (8 << 8);

    /// <summary>
    /// True when the save lost a race with another writer: a row it changed was changed first (its concurrency token
    /// moved), or a row it added was added first (a unique key). SQLite, one writer at a time, reports the first; under
    /// READ COMMITTED PostgreSQL and SQL Server may report the second, when the insert waits on the other's uncommitted
    /// row before the update's version check is reached.
    /// </summary>
    public static bool Lost(DbUpdateException e) => e is DbUpdateConcurrencyException || IsUniqueViolation(e);

    public static bool IsUniqueViolation(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is SqliteException { SqliteExtendedErrorCode: SqliteConstraintUnique or SqliteConstraintPrimaryKey }
                or PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }
                or SqlException { Number: 2601 or 2627 })
            {
                return true;
            }
        }

        return false;
    }
}
