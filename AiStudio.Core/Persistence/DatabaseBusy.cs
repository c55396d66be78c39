using AiStudio.Core.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Core.Persistence;

/// <summary>
/// SQLite lets one writer at a time. Microsoft.Data.Sqlite waits for a held lock by itself, trying again every 150 ms
/// for the connection's Default Timeout (<c>Database:BusyTimeoutSeconds</c>, 30 s unless set); a lock held longer
/// surfaces as SQLITE_BUSY, which this turns into words.
/// </summary>
public static class DatabaseBusy
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    public static bool Is(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The message for a person whose change could not be written; the transaction was rolled back, so nothing changed.</summary>
    public static DatabaseBusyException Refused(DbContext db, string what) =>
        new($"The database was busy with other work for more than {Seconds(db)} s, so {what} was not saved and nothing changed. Try again in a moment.");

    private static int Seconds(DbContext db) => db.Database.GetDbConnection() is SqliteConnection sqlite ? sqlite.DefaultTimeout : 30;
}

/// <summary>The database stayed locked longer than the writer would wait; nothing was changed.</summary>
public sealed class DatabaseBusyException(string message) : DomainException(message);
