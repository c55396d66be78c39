using AiStudio.Core.Common;

namespace AiStudio.Core.Audit;

/// <summary>
/// One recorded fact: who did what to which entity, when, and what it looked like before and after.
/// Always added to the same DbContext, and so the same transaction, as the change it records.
/// </summary>
/// <remarks>
/// An event is written unsealed (no <see cref="Sequence"/>); the <see cref="AuditSealer"/> links it into the
/// hash chain moments later. See <see cref="AuditChainHash"/> for what the hash covers.
/// </remarks>
public sealed class AuditEvent
{
    private AuditEvent() { }

    public long Id { get; private set; }
    public DateTimeOffset OccurredAt { get; private set; }
    public string ActorId { get; private set; } = "";
    public string ActorName { get; private set; } = "";
    public string Action { get; private set; } = "";
    public string EntityType { get; private set; } = "";
    public string EntityId { get; private set; } = "";
    public Guid? ProjectId { get; private set; }
    public Guid? BuildId { get; private set; }
    public string? Before { get; private set; }
    public string? After { get; private set; }
    public string? Detail { get; private set; }
    public int? PromptVersion { get; private set; }
    public string? ModelId { get; private set; }
    public int? InputTokens { get; private set; }
    public int? OutputTokens { get; private set; }
    public decimal? Cost { get; private set; }

    /// <summary>Position in the hash chain, gap-free from 1; null until sealed.</summary>
    public long? Sequence { get; private set; }

    public string? PreviousHash { get; private set; }
    public string? Hash { get; private set; }

    public bool IsSealed => Sequence is not null;

    public const int MaxActorNameLength = 256;

    public static AuditEvent Create(
        DateTimeOffset now, string actorId, string actorName, string action, string entityType, string entityId,
        Guid? projectId = null, Guid? buildId = null, string? before = null, string? after = null, string? detail = null,
        int? promptVersion = null, string? modelId = null, int? inputTokens = null, int? outputTokens = null, decimal? cost = null) => new()
    {
        OccurredAt = now,
        ActorId = actorId,
        // The name may be whatever an anonymous form was sent (a failed sign-in's typed name): kept to the input rules.
        ActorName = TextInput.ForRecord(actorName, MaxActorNameLength),
        Action = action,
        EntityType = entityType,
        EntityId = entityId,
        ProjectId = projectId,
        BuildId = buildId,
        Before = before,
        After = after,
        Detail = detail,
        PromptVersion = promptVersion,
        ModelId = modelId,
        InputTokens = inputTokens,
        OutputTokens = outputTokens,
        Cost = cost,
    };

    /// <summary>An event exactly as stored, read without EF's materializer (the verifier streams a million of these).</summary>
    internal static AuditEvent Restore(
        long id, DateTimeOffset occurredAt, string actorId, string actorName, string action, string entityType, string entityId,
        Guid? projectId, Guid? buildId, string? before, string? after, string? detail, int? promptVersion, string? modelId,
        int? inputTokens, int? outputTokens, decimal? cost, long? sequence, string? previousHash, string? hash)
    {
        var e = Create(occurredAt, actorId, actorName, action, entityType, entityId, projectId, buildId, before, after, detail,
            promptVersion, modelId, inputTokens, outputTokens, cost);
        e.ActorName = actorName;
        e.Id = id;
        e.Sequence = sequence;
        e.PreviousHash = previousHash;
        e.Hash = hash;
        return e;
    }

    /// <summary>Links the event into the chain after <paramref name="previousHash"/>; only the sealer calls this, once.</summary>
    internal void Seal(long sequence, string previousHash)
    {
        if (IsSealed)
        {
            throw new InvalidOperationException($"Audit event {Id} is already sealed as #{Sequence}.");
        }

        Sequence = sequence;
        PreviousHash = previousHash;
        Hash = AuditChainHash.Compute(this, sequence, previousHash);
    }
}
