using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace AiStudio.Core.Persistence;

/// <summary>
/// A database that refused a read or a write (locked, read-only, out of space, a disk error, a server gone), told apart
/// from a lost race (<see cref="SaveConflicts"/>) and described in words for people, probes and problem documents.
/// </summary>
public static class DatabaseFailure
{
    public static bool Is(Exception e)
    {
        if (e is DbUpdateException update && SaveConflicts.Lost(update))
        {
            return false;
        }

        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is DbException or DbUpdateException or RetryLimitExceededException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What the database refused, in a few plain words (no exception type, SQL or stack).</summary>
    public static string Describe(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case SqliteException sqlite:
                    return (sqlite.SqliteErrorCode & 0xFF) switch
                    {
                        5 or 6 => "the database is locked by another connection or program",
                        8 => "the database file is read-only",
                        10 => "the disk refused to read or write the database file (disk I/O error)",
                        11 or 26 => "the database file is damaged",
                        13 => "the disk holding the database is full",
                        14 => "the database file cannot be opened",
                        _ => $"the database refused it (SQLite error {sqlite.SqliteErrorCode})",
                    };
                case PostgresException postgres:
                    return postgres.SqlState switch
                    {
                        PostgresErrorCodes.ReadOnlySqlTransaction => "the database server accepts only reads",
                        PostgresErrorCodes.DiskFull or PostgresErrorCodes.InsufficientResources or PostgresErrorCodes.OutOfMemory => "the database server is out of disk space or memory",
                        PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.DeadlockDetected => "the database is locked by other work",
                        PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.CrashShutdown => "the database server is shutting down or starting",
                        _ => $"the database server refused it (SQL state {postgres.SqlState})",
                    };
                case NpgsqlException:
                    return "the database server could not be reached";
                case SqlException sql:
                    return sql.Number is 1205 or 1222 ? "the database is locked by other work" : $"the database server refused it (error {sql.Number})";
                case TimeoutException or OperationCanceledException:
                    return "the database did not answer in time";
            }
        }

        return "the database refused it";
    }
}
