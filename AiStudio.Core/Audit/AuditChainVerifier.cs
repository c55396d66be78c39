using System.Data.Common;
using System.Globalization;
using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Core.Audit;

public interface IAuditChainVerifier
{
    /// <summary>Walks the whole sealed chain in sequence order and reports the first broken link, if any (admins only).</summary>
    Task<AuditChainVerification> VerifyAsync(Actor actor, CancellationToken cancellationToken = default);

    /// <summary>
    /// Seals the events still waiting (so the newest are covered too), then verifies. Admins only, checked before
    /// anything is sealed: someone else asking must not move the chain.
    /// </summary>
    Task<AuditChainVerification> SealAndVerifyAsync(Actor actor, CancellationToken cancellationToken = default);
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
/// Streams the chain by sequence keyset in batches, so memory stays flat however long the trail. A long chain is
/// cut into one segment per core, each read on its own connection: a segment checks its own links and starts
/// from the stored hash of the event before it, whose own hash the previous segment checks, so together they
/// check every link once. Rows are read straight from the data reader, since EF's materializer was a large
/// share of the time on a million rows. Verification covers the chain up to the head as it was when it began;
/// events sealed meanwhile wait for the next run.
/// </summary>
internal sealed class AuditChainVerifier(IDbContextFactory<AiStudioDbContext> contexts, IAuditSealer? sealer = null) : IAuditChainVerifier
{
    public const int BatchSize = 10_000;

    /// <summary>Below this many events per segment, a second connection costs more than it saves.</summary>
    internal long MinSegmentLength { get; init; } = 50_000;

    public async Task<AuditChainVerification> SealAndVerifyAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        AuditAccess.EnsureCanRead(actor);
        if (sealer is null)
        {
            throw new InvalidOperationException("This verifier was made without the sealer; use VerifyAsync.");
        }

        await sealer.SealPendingAsync(cancellationToken);
        return await VerifyAsync(actor, cancellationToken);
    }

    public async Task<AuditChainVerification> VerifyAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        AuditAccess.EnsureCanRead(actor);
        AuditChainHead head;
        long pending;
        long lastPresent;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            head = await db.Set<AuditChainHead>().AsNoTracking().SingleOrDefaultAsync(h => h.Id == AuditChainHead.SingletonId, cancellationToken)
                ?? AuditChainHead.Empty();
            pending = await db.AuditEvents.LongCountAsync(e => e.Sequence == null, cancellationToken);
            var headSequence = head.LastSequence;
            lastPresent = await db.AuditEvents.Where(e => e.Sequence <= headSequence).MaxAsync(e => e.Sequence, cancellationToken) ?? 0;
        }

        var segments = SegmentsOf(lastPresent);
        var results = await Task.WhenAll(segments.Select(s => Task.Run(() => VerifySegmentAsync(s.First, s.Last, cancellationToken), cancellationToken)));

        if (results.Where(r => r.Break is not null).Select(r => r.Break!).MinBy(b => b.Sequence) is { } first)
        {
            return new AuditChainVerification(first.Sequence - 1, head.LastSequence, pending, first.Problem, first.Sequence, first.EventId, first.Description);
        }

        if (lastPresent < head.LastSequence)
        {
            return new AuditChainVerification(lastPresent, head.LastSequence, pending, AuditChainProblem.HeadMismatch, lastPresent + 1, null,
                $"the chain ends at #{lastPresent} but the sealed head records #{head.LastSequence}: the newest events were deleted.");
        }

        if (results.Length > 0 && results[^1].LastHash != head.LastHash || results.Length == 0 && head.LastHash != AuditChainHash.Genesis)
        {
            return new AuditChainVerification(lastPresent, head.LastSequence, pending, AuditChainProblem.HeadMismatch, head.LastSequence, null,
                "the last event's hash does not match the sealed head: the head or the end of the chain was rewritten.");
        }

        return new AuditChainVerification(lastPresent, head.LastSequence, pending);
    }

    private List<(long First, long Last)> SegmentsOf(long last)
    {
        var count = (int)Math.Clamp(last / MinSegmentLength, 1, Math.Clamp(Environment.ProcessorCount, 1, 8));
        var length = last / count;
        var segments = new List<(long, long)>();
        for (var i = 0; i < count && last > 0; i++)
        {
            segments.Add((i * length + 1, i == count - 1 ? last : (i + 1) * length));
        }

        return segments;
    }

    private sealed record SegmentBreak(AuditChainProblem Problem, long Sequence, long? EventId, string Description);

    private sealed record SegmentResult(SegmentBreak? Break, string? LastHash);

    private async Task<SegmentResult> VerifySegmentAsync(long first, long last, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        var verified = first - 1;
        var lastHash = first == 1
            ? AuditChainHash.Genesis
            : await db.AuditEvents.AsNoTracking().Where(e => e.Sequence == verified).Select(e => e.Hash).SingleOrDefaultAsync(cancellationToken);

        while (true)
        {
            var after = verified;
            var query = db.AuditEvents
                .Where(e => e.Sequence > after && e.Sequence <= last)
                .OrderBy(e => e.Sequence)
                .Take(BatchSize)
                .Select(e => new
                {
                    e.Id, e.OccurredAt, e.ActorId, e.ActorName, e.Action, e.EntityType, e.EntityId, e.ProjectId, e.BuildId, e.Before, e.After, e.Detail,
                    e.PromptVersion, e.ModelId, e.InputTokens, e.OutputTokens, e.Cost, e.Sequence, e.PreviousHash, e.Hash,
                });
            await using var command = query.CreateDbCommand();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var columns = new Columns(reader);
            var read = 0;
            while (await reader.ReadAsync(cancellationToken))
            {
                read++;
                var e = columns.Read(reader);
                var expected = verified + 1;
                var sequence = e.Sequence!.Value;
                if (sequence != expected)
                {
                    return new SegmentResult(new SegmentBreak(AuditChainProblem.MissingSequence, expected, null,
                        $"it is missing (deleted): the chain jumps from #{expected - 1} to #{sequence} (id {e.Id})."), null);
                }

                if (e.PreviousHash != lastHash)
                {
                    return new SegmentResult(new SegmentBreak(AuditChainProblem.OutOfOrder, sequence, e.Id,
                        $"event id {e.Id} does not link to event #{sequence - 1} (its previous hash differs): events were reordered or replaced."), null);
                }

                if (!AuditChainHash.Matches(e, e.Hash))
                {
                    return new SegmentResult(new SegmentBreak(AuditChainProblem.EditedContent, sequence, e.Id,
                        $"the content of event id {e.Id} no longer matches its hash: it was edited after sealing."), null);
                }

                lastHash = e.Hash;
                verified = sequence;
            }

            if (read < BatchSize)
            {
                break;
            }
        }

        // The segment must reach its last sequence: the segments after it, or the last present event, lie beyond.
        return verified < last
            ? new SegmentResult(new SegmentBreak(AuditChainProblem.MissingSequence, verified + 1, null,
                $"it is missing (deleted): the chain jumps from #{verified} to a later event."), null)
            : new SegmentResult(null, lastHash);
    }

    /// <summary>Column ordinals by name, so the reading does not depend on the order EF writes the SELECT in.</summary>
    private sealed class Columns(DbDataReader reader)
    {
        private readonly int _id = reader.GetOrdinal(nameof(AuditEvent.Id));
        private readonly int _occurredAt = reader.GetOrdinal(nameof(AuditEvent.OccurredAt));
        private readonly int _actorId = reader.GetOrdinal(nameof(AuditEvent.ActorId));
        private readonly int _actorName = reader.GetOrdinal(nameof(AuditEvent.ActorName));
        private readonly int _action = reader.GetOrdinal(nameof(AuditEvent.Action));
        private readonly int _entityType = reader.GetOrdinal(nameof(AuditEvent.EntityType));
        private readonly int _entityId = reader.GetOrdinal(nameof(AuditEvent.EntityId));
        private readonly int _projectId = reader.GetOrdinal(nameof(AuditEvent.ProjectId));
        private readonly int _buildId = reader.GetOrdinal(nameof(AuditEvent.BuildId));
        private readonly int _before = reader.GetOrdinal(nameof(AuditEvent.Before));
        private readonly int _after = reader.GetOrdinal(nameof(AuditEvent.After));
        private readonly int _detail = reader.GetOrdinal(nameof(AuditEvent.Detail));
        private readonly int _promptVersion = reader.GetOrdinal(nameof(AuditEvent.PromptVersion));
        private readonly int _modelId = reader.GetOrdinal(nameof(AuditEvent.ModelId));
        private readonly int _inputTokens = reader.GetOrdinal(nameof(AuditEvent.InputTokens));
        private readonly int _outputTokens = reader.GetOrdinal(nameof(AuditEvent.OutputTokens));
        private readonly int _cost = reader.GetOrdinal(nameof(AuditEvent.Cost));
        private readonly int _sequence = reader.GetOrdinal(nameof(AuditEvent.Sequence));
        private readonly int _previousHash = reader.GetOrdinal(nameof(AuditEvent.PreviousHash));
        private readonly int _hash = reader.GetOrdinal(nameof(AuditEvent.Hash));

        public AuditEvent Read(DbDataReader r) => AuditEvent.Restore(
            r.GetInt64(_id), Time(r, _occurredAt), r.GetString(_actorId), r.GetString(_actorName),
            r.GetString(_action), r.GetString(_entityType), r.GetString(_entityId),
            r.IsDBNull(_projectId) ? null : r.GetGuid(_projectId), r.IsDBNull(_buildId) ? null : r.GetGuid(_buildId),
            Text(r, _before), Text(r, _after), Text(r, _detail),
            r.IsDBNull(_promptVersion) ? null : r.GetInt32(_promptVersion), Text(r, _modelId),
            r.IsDBNull(_inputTokens) ? null : r.GetInt32(_inputTokens), r.IsDBNull(_outputTokens) ? null : r.GetInt32(_outputTokens),
            r.IsDBNull(_cost) ? null : r.GetDecimal(_cost),
            r.IsDBNull(_sequence) ? null : r.GetInt64(_sequence), Text(r, _previousHash), Text(r, _hash));

        private static string? Text(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

        // UTC ticks on SQLite and SQL Server (see DateTimeOffsetToUtcTicksConverter), timestamptz on PostgreSQL.
        private static DateTimeOffset Time(DbDataReader r, int ordinal) => r.GetFieldType(ordinal) == typeof(long)
            ? new DateTimeOffset(r.GetInt64(ordinal), TimeSpan.Zero)
            : r.GetFieldValue<DateTimeOffset>(ordinal);
    }
}
