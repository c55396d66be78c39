using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AiStudio.Core.Persistence;

/// <summary>
/// Settings every SQLite connection of the app gets when it opens (they belong to the connection, not the file).
/// <list type="bullet">
/// <item><c>busy_timeout</c>: a writer that finds the file locked (the audit sealer and a phase run commit at once)
/// waits inside SQLite, retrying within a millisecond or two, instead of getting SQLITE_BUSY back and sleeping
/// 150 ms in Microsoft.Data.Sqlite's retry loop before it tries again. It waits as long as that loop would: the
/// connection's Default Timeout (<c>Database:BusyTimeoutSeconds</c>, 30 s unless set), so there is one setting.</item>
/// <item><c>synchronous=FULL</c>: a commit returns once the WAL is on disk. What AiStudio acknowledges (a person's
/// approval, a Stripe webhook answered 200) survives a power cut; NORMAL, SQLite's default for WAL, may lose the last
/// commits before a checkpoint. Quartz's own file keeps NORMAL (see <see cref="Execution.JobStoreSqliteFactory"/>).</item>
/// </list>
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    // A pooled connection keeps its SQLite handle, and the settings with it: they are set once per handle, not on every
    // open (EF opens the connection for each query).
    private readonly ConditionalWeakTable<object, object> _configured = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (NeedsSettings(connection))
        {
            using var command = connection.CreateCommand();
            command.CommandText = SqlFor(connection);
            command.ExecuteNonQuery();
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (NeedsSettings(connection))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = SqlFor(connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private bool NeedsSettings(DbConnection connection) =>
        connection is not SqliteConnection { Handle: { } handle } || _configured.TryAdd(handle, handle);

    internal static string SqlFor(DbConnection connection)
    {
        var seconds = connection is SqliteConnection sqlite ? sqlite.DefaultTimeout : 30;
        return $"PRAGMA busy_timeout = {seconds * 1000}; PRAGMA synchronous = FULL;";
    }
}
