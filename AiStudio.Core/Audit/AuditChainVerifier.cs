using System.Globalization;
using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Core.Audit;

public interface IAuditChainVerifier
{
    /// <summary>Walks the whole sealed chain in sequence order and reports the first broken link, if any (admins only).</summary>
    Task<AuditChainVerification> VerifyAsync(Actor actor, CancellationToken cancellationToken = default);
}

public enum AuditChainProblem
{
    None,

    /// <summary>An event's fields no longer hash to its stored hash.</summary>
    EditedContent,

    /// <summary>A sequence number is absent: the event was deleted (or its seal removed).</summary>
    MissingSequence,

    /// <summary>An event's previous-hash link does not match the event before it: reordered, or the one before was rewritten.</summary>
    OutOfOrder,

    /// <summary>The chain does not end where the sealed head says: the newest events were deleted, or the end rewritten.</summary>
    HeadMismatch,
}

public sealed record AuditChainVerification(
    long EventsVerified,
    long HeadSequence,
    long PendingEvents,
    AuditChainProblem Problem = AuditChainProblem.None,
    long? BrokenAtSequence = null,
    long? BrokenEventId = null,
    string? Description = null)
{
    public bool IsIntact => Problem == AuditChainProblem.None;

    public string Summary => IsIntact
        ? $"All {EventsVerified.ToString("N0", CultureInfo.InvariantCulture)} events verified"
        : $"Broken at event #{BrokenAtSequence}: {Description}";
}

/// <summary>
/// Streams the chain by sequence keyset in batches, untracked, so memory stays flat however long the trail;
/// it reads up to the head as it was when verification began, so events sealed meanwhile wait for the next run.
/// </summary>
internal sealed class AuditChainVerifier(IDbContextFactory<AiStudioDbContext> contexts) : IAuditChainVerifier
{
    public const int BatchSize = 10_000;

    public async Task<AuditChainVerification> VerifyAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        AuditAccess.EnsureCanRead(actor);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;

        var head = await db.Set<AuditChainHead>().SingleOrDefaultAsync(h => h.Id == AuditChainHead.SingletonId, cancellationToken)
            ?? AuditChainHead.Empty();
        var pending = await db.AuditEvents.LongCountAsync(e => e.Sequence == null, cancellationToken);
        var headSequence = head.LastSequence;

        var verified = 0L;
        var lastHash = AuditChainHash.Genesis;
        AuditChainVerification Broken(AuditChainProblem problem, long sequence, long? eventId, string description) =>
            new(verified, headSequence, pending, problem, sequence, eventId, description);

        while (true)
        {
            var after = verified;
            var batch = await db.AuditEvents
                .Where(e => e.Sequence > after && e.Sequence <= headSequence)
                .OrderBy(e => e.Sequence)
                .Take(BatchSize)
                .ToListAsync(cancellationToken);

            foreach (var e in batch)
            {
                var expected = verified + 1;
                var sequence = e.Sequence!.Value;
                if (sequence != expected)
                {
                    return Broken(AuditChainProblem.MissingSequence, expected, null,
                        $"it is missing (deleted): the chain jumps from #{expected - 1} to #{sequence} (id {e.Id}).");
                }

                if (e.PreviousHash != lastHash)
                {
                    return Broken(AuditChainProblem.OutOfOrder, sequence, e.Id,
                        $"event id {e.Id} does not link to event #{sequence - 1} (its previous hash differs): events were reordered or replaced.");
                }

                if (!AuditChainHash.Matches(e, e.Hash))
                {
                    return Broken(AuditChainProblem.EditedContent, sequence, e.Id,
                        $"the content of event id {e.Id} no longer matches its hash: it was edited after sealing.");
                }

                lastHash = e.Hash!;
                verified = sequence;
            }

            if (batch.Count < BatchSize)
            {
                break;
            }
        }

        if (verified < headSequence)
        {
            return Broken(AuditChainProblem.HeadMismatch, verified + 1, null,
                $"the chain ends at #{verified} but the sealed head records #{headSequence}: the newest events were deleted.");
        }

        if (lastHash != head.LastHash)
        {
            return Broken(AuditChainProblem.HeadMismatch, headSequence, null,
                $"the last event's hash does not match the sealed head: the head or the end of the chain was rewritten.");
        }

        return new AuditChainVerification(verified, headSequence, pending);
    }
}
