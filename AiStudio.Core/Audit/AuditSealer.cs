using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace AiStudio.Core.Audit;

/// <summary>Links unsealed audit events into the hash chain.</summary>
public interface IAuditSealer
{
    /// <summary>Seals every event committed so far, oldest id first; returns how many it sealed.</summary>
    Task<int> SealPendingAsync(CancellationToken cancellationToken = default);

    /// <summary>Asks the background sealer to run soon (after audit events were written).</summary>
    void Poke();
}

/// <summary>
/// The one writer of the chain. Business transactions insert events unsealed, so they never contend for the
/// chain's end; this sealer then takes them in id order, in small batches, and extends the chain from the
/// <see cref="AuditChainHead"/>. The head's sequence is a concurrency token: a second sealer (another node)
/// that read the same head loses its save and tries again, so the chain cannot fork.
/// </summary>
/// <remarks>
/// Limits: an event is unsealed for a moment after its commit (until the poke or the periodic pass). Sealing
/// follows commit visibility, so on SQL Server an event whose transaction commits late may get a later
/// sequence than a higher id; verification follows the sequence. The head lives in the same database: it
/// catches deleted newest events, but someone able to rewrite every row and the head at once is caught only
/// by comparing with a head recorded elsewhere (each batch logs the new head for that purpose).
/// </remarks>
internal sealed class AuditSealer(
    IDbContextFactory<AiStudioDbContext> contexts,
    AuditSealSignal signal,
    TimeProvider clock,
    ILogger<AuditSealer> logger) : IAuditSealer
{
    public const int BatchSize = 500;
    private const int MaxConflicts = 10;

    private readonly SemaphoreSlim _gate = new(1, 1);

    public void Poke() => signal.Ring();

    public async Task<int> SealPendingAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var total = 0;
            var conflicts = 0;
            while (true)
            {
                var sealedNow = await SealBatchAsync(cancellationToken);
                if (sealedNow is null)
                {
                    if (++conflicts > MaxConflicts)
                    {
                        throw new InvalidOperationException("The audit chain head kept moving under this sealer; giving up for now.");
                    }

                    continue;
                }

                total += sealedNow.Value;
                if (sealedNow.Value < BatchSize)
                {
                    return total;
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Seals up to one batch; null when another sealer moved the head first.</summary>
    private async Task<int?> SealBatchAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var head = await db.Set<AuditChainHead>().SingleOrDefaultAsync(h => h.Id == AuditChainHead.SingletonId, cancellationToken);
        if (head is null)
        {
            head = AuditChainHead.Empty();
            db.Add(head);
        }

        var pending = await db.AuditEvents
            .Where(e => e.Sequence == null)
            .OrderBy(e => e.Id)
            .Take(BatchSize)
            .ToListAsync(cancellationToken);
        if (pending.Count == 0)
        {
            return 0;
        }

        var sequence = head.LastSequence;
        var previous = head.LastHash;
        foreach (var e in pending)
        {
            e.Seal(++sequence, previous);
            previous = e.Hash!;
        }

        head.MoveTo(sequence, previous, clock.GetUtcNow());
        try
        {
            // No explicit transaction: SaveChanges is one, and the head's token makes it fail if the chain moved.
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex)
        {
            logger.LogInformation("Another sealer extended the audit chain first ({Error}); sealing again", ex.InnerException?.Message ?? ex.Message);
            return null;
        }

        logger.LogInformation("Audit chain sealed to #{Sequence} {Hash}", sequence, previous);
        return pending.Count;
    }
}

/// <summary>
/// Seals in the background: promptly when rung, and on a slow timer for anything a ring missed. The events stay unsealed
/// until a pass succeeds; the business writes are unaffected.
/// </summary>
internal sealed class AuditSealingService(AuditSealer sealer, AuditSealSignal signal, ILogger<AuditSealingService> logger)
    : DoorbellWorker(signal, Interval, Gather, logger)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    // After a ring, the events of the next few moments are gathered into the same pass: one sealing transaction for a
    // busy stretch instead of one per save, each competing with the writers for SQLite's single write lock.
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(20);

    protected override string Work => "Sealing the audit chain";

    protected override Task DoPassAsync(CancellationToken cancellationToken) => sealer.SealPendingAsync(cancellationToken);
}

/// <summary>
/// The doorbell between writers and the sealer, rung after a commit that wrote audit events. Separate from the sealer
/// because the DbContext options (which hold the interceptor that rings it) must not depend on the sealer, which depends
/// on the DbContext factory.
/// </summary>
internal sealed class AuditSealSignal : Doorbell;
