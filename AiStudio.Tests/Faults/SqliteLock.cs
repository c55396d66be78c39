using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using AiStudio.Core.Audit;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AiStudio.Tests.Faults;

/// <summary>Another connection holding SQLite's write lock on the app's database file (<c>BEGIN EXCLUSIVE</c>), until released.</summary>
internal sealed class SqliteLock : IAsyncDisposable
{
    private readonly SqliteConnection _connection;

    private SqliteLock(SqliteConnection connection, long takenAt)
    {
        _connection = connection;
        TakenAt = takenAt;
    }

    /// <summary>When the lock was held, as a <see cref="Stopwatch"/> timestamp.</summary>
    public long TakenAt { get; }

    public long? ReleasedAt { get; private set; }

    public bool IsHeld => ReleasedAt is null;

    public static async Task<SqliteLock> TakeAsync(string dataDirectory)
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "aistudio.db")};Pooling=False");
        await connection.OpenAsync();
        await using (var begin = connection.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE;";
            await begin.ExecuteNonQueryAsync();
        }

        return new SqliteLock(connection, Stopwatch.GetTimestamp());
    }

    public async Task ReleaseAsync()
    {
        if (!IsHeld)
        {
            return;
        }

        ReleasedAt = Stopwatch.GetTimestamp();
        await using var rollback = _connection.CreateCommand();
        rollback.CommandText = "ROLLBACK;";
        await rollback.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync();
        await _connection.DisposeAsync();
    }
}

/// <summary>
/// Records every transaction the app's contexts start: when it was asked for, when it began (after any wait for a lock),
/// and what it was about to write, so a test can tell which operation met the lock.
/// </summary>
internal sealed class TransactionRecorder : DbTransactionInterceptor
{
    private readonly ConcurrentDictionary<Guid, RecordedTransaction> _transactions = new();

    public IReadOnlyList<RecordedTransaction> Transactions => [.. _transactions.Values.OrderBy(t => t.AskedAt)];

    /// <summary>The transactions that would add an audit event with this action (not the sealer's, which only modify events).</summary>
    public IReadOnlyList<RecordedTransaction> Writing(string auditAction) =>
        [.. Transactions.Where(t => t.Changes.Contains($"{nameof(AuditEvent)} {auditAction}"))];

    public override InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        Asked(eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
        DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        Asked(eventData);
        return ValueTask.FromResult(result);
    }

    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        Began(eventData);
        return result;
    }

    public override ValueTask<DbTransaction> TransactionStartedAsync(
        DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        Began(eventData);
        return ValueTask.FromResult(result);
    }

    private void Asked(TransactionStartingEventData eventData)
    {
        var changes = eventData.Context?.ChangeTracker.Entries()
            .Where(e => e.State is EntityState.Added or EntityState.Modified)
            .Select(e => e.Entity is AuditEvent { } audit && e.State == EntityState.Added ? $"{nameof(AuditEvent)} {audit.Action}" : $"{e.State} {e.Entity.GetType().Name}")
            .ToList() ?? [];
        _transactions[eventData.TransactionId] = new RecordedTransaction(Stopwatch.GetTimestamp(), changes);
    }

    private void Began(TransactionEventData eventData)
    {
        if (_transactions.TryGetValue(eventData.TransactionId, out var transaction))
        {
            transaction.BeganAt = Stopwatch.GetTimestamp();
        }
    }
}

internal sealed record RecordedTransaction(long AskedAt, IReadOnlyList<string> Changes)
{
    public long? BeganAt { get; set; }
}
