using System.Data.Common;
using AiStudio.Core.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AiStudio.Core.Persistence;

/// <summary>
/// Rings a background worker's doorbell once rows it waits for are committed: right after SaveChanges when the save was
/// its own transaction, or when the transaction the save ran in commits. Ringing earlier would send the worker to look
/// before the rows are visible, and it would find them only on its next periodic pass.
/// </summary>
internal sealed class RingAfterCommit<TEntity>(Doorbell bell, Func<TEntity, bool> waitsForWorker) : ISaveChangesInterceptor, IDbTransactionInterceptor
    where TEntity : class
{
    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        RingIfCommitted(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        RingIfCommitted(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => RingIfWaiting(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        RingIfWaiting(eventData.Context);
        return Task.CompletedTask;
    }

    private void RingIfCommitted(DbContext? context)
    {
        if (context?.Database.CurrentTransaction is null)
        {
            RingIfWaiting(context);
        }
    }

    private void RingIfWaiting(DbContext? context)
    {
        if (context is not null && context.ChangeTracker.Entries<TEntity>().Any(e => waitsForWorker(e.Entity)))
        {
            bell.Ring();
        }
    }
}
