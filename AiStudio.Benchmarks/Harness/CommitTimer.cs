using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AiStudio.Benchmarks.Harness;

/// <summary>
/// Times the app's own commits as EF Core reports them (from sending COMMIT to its answer), so that a figure can say how
/// much of a phase was waiting for the disk. Register it as an <see cref="IInterceptor"/>: the app adds those to every context.
/// </summary>
public sealed class CommitTimer : DbTransactionInterceptor
{
    private long _ticks;
    private int _commits;

    public int Commits => Volatile.Read(ref _commits);

    public TimeSpan Waited => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Record(eventData.Duration);

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Record(eventData.Duration);
        return Task.CompletedTask;
    }

    private void Record(TimeSpan duration)
    {
        Interlocked.Add(ref _ticks, duration.Ticks);
        Interlocked.Increment(ref _commits);
    }
}
