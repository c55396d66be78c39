namespace AiStudio.Core.Audit;

/// <summary>
/// The newest sealed link, kept apart from the events so that deleting the newest events is detectable:
/// the chain must end exactly here. One row (<see cref="SingletonId"/>); its sequence is the concurrency
/// token, so two sealers (two nodes) cannot both extend the chain from the same link.
/// </summary>
public sealed class AuditChainHead
{
    public const int SingletonId = 1;

    private AuditChainHead() { }

    public int Id { get; private set; }
    public long LastSequence { get; private set; }
    public string LastHash { get; private set; } = AuditChainHash.Genesis;
    public DateTimeOffset? SealedAt { get; private set; }

    /// <summary>The head before anything was sealed; seeded by the migration.</summary>
    public static AuditChainHead Empty() => new() { Id = SingletonId, LastSequence = 0, LastHash = AuditChainHash.Genesis };

    internal void MoveTo(long sequence, string hash, DateTimeOffset now)
    {
        LastSequence = sequence;
        LastHash = hash;
        SealedAt = now;
    }
}
