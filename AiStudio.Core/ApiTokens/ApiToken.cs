using AiStudio.Core.Common;

namespace AiStudio.Core.ApiTokens;

/// <summary>
/// A personal access token for the REST API. Only the SHA-256 hash of the secret is kept, so a leaked
/// database does not hand out working tokens; the prefix lets a person tell their tokens apart.
/// </summary>
public sealed class ApiToken
{
    public const int NameMaxLength = 100;
    public const int PrefixLength = 12;
    public const int HashLength = 32;

    // Usage is recorded at most this often, so that a busy script does not write on every request.
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    private ApiToken() { }

    public Guid Id { get; private set; }
    public string UserId { get; private set; } = "";
    public string Name { get; private set; } = "";
    public string Prefix { get; private set; } = "";
    public byte[] TokenHash { get; private set; } = [];
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? LastUsedAt { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }

    public bool IsRevoked => RevokedAt is not null;

    internal static ApiToken Create(string userId, string name, string prefix, byte[] tokenHash, DateTimeOffset now) => new()
    {
        Id = Guid.NewGuid(),
        UserId = userId,
        Name = name,
        Prefix = prefix,
        TokenHash = tokenHash,
        CreatedAt = now,
    };

    public void Revoke(DateTimeOffset now)
    {
        if (RevokedAt is { } revokedAt)
        {
            throw new DomainException($"The token \"{Name}\" was already revoked on {revokedAt:yyyy-MM-dd HH:mm} UTC.");
        }

        RevokedAt = now;
    }

    /// <returns>True when the time was recorded, false when the last record is recent enough.</returns>
    public bool MarkUsed(DateTimeOffset now)
    {
        if (LastUsedAt is { } last && now - last < LastUsedResolution)
        {
            return false;
        }

        LastUsedAt = now;
        return true;
    }
}
