using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace AiStudio.Tests.Support;

/// <summary>
/// A database that stops taking writes, as a file made immutable (<c>chattr +i</c>) or a server switched to read-only does:
/// while on, every INSERT, UPDATE and DELETE the app sends through EF fails with the driver's own error (SQLite's
/// "disk I/O error", PostgreSQL's read-only transaction), and reads still work. The test switches it on and off; nothing
/// depends on timing.
/// </summary>
public sealed partial class WriteFault : DbCommandInterceptor, ISaveChangesInterceptor
{
    private readonly Lock _gate = new();
    private readonly List<string> _refused = [];
    private readonly List<string[]> _failedSaves = [];
    private int _refuseNext;
    private string _refuseNextOf = "";

    /// <summary>Refuses every write until switched off.</summary>
    public volatile bool On;

    /// <summary>Refuses the next <paramref name="count"/> writes whose SQL contains <paramref name="sql"/> (e.g. <c>UPDATE "PhaseRuns"</c>), then lets them through.</summary>
    public void RefuseNext(int count, string sql)
    {
        _refuseNextOf = sql;
        Interlocked.Exchange(ref _refuseNext, count);
    }

    /// <summary>How many refused writes touched <paramref name="table"/>.</summary>
    public int RefusedWritesOf(string table)
    {
        lock (_gate)
        {
            return _refused.Count(sql => sql.Contains($"\"{table}\"", StringComparison.Ordinal));
        }
    }

    /// <summary>How many saves (SaveChanges) failed while they changed an entity of type <paramref name="entity"/>.</summary>
    public int FailedSavesOf(string entity)
    {
        lock (_gate)
        {
            return _failedSaves.Count(types => types.Contains(entity));
        }
    }

    void ISaveChangesInterceptor.SaveChangesFailed(DbContextErrorEventData eventData) => RecordFailedSave(eventData);

    Task ISaveChangesInterceptor.SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken)
    {
        RecordFailedSave(eventData);
        return Task.CompletedTask;
    }

    private void RecordFailedSave(DbContextErrorEventData eventData)
    {
        var types = eventData.Context?.ChangeTracker.Entries()
            .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            .Select(e => e.Metadata.ClrType.Name)
            .Distinct()
            .ToArray() ?? [];
        lock (_gate)
        {
            _failedSaves.Add(types);
        }
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
        Refuse(command, result);

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Refuse(command, result));

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
        Refuse(command, result);

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Refuse(command, result));

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result) =>
        Refuse(command, result);

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Refuse(command, result));

    private T Refuse<T>(DbCommand command, T result)
    {
        if (!Writes().IsMatch(command.CommandText) || !(On || (command.CommandText.Contains(_refuseNextOf, StringComparison.Ordinal) && TakeOneOfTheNext())))
        {
            return result;
        }

        lock (_gate)
        {
            _refused.Add(command.CommandText);
        }

        throw command.Connection is SqliteConnection
            ? new SqliteException("SQLite Error 10: 'disk I/O error'.", 10)
            : new PostgresException("cannot execute UPDATE in a read-only transaction", "ERROR", "ERROR", PostgresErrorCodes.ReadOnlySqlTransaction);
    }

    private bool TakeOneOfTheNext()
    {
        while (true)
        {
            var left = Volatile.Read(ref _refuseNext);
            if (left <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _refuseNext, left - 1, left) == left)
            {
                return true;
            }
        }
    }

    [GeneratedRegex("""\b(INSERT\s+INTO|UPDATE\s+"|DELETE\s+FROM)""", RegexOptions.IgnoreCase)]
    private static partial Regex Writes();
}
