using AiStudio.Core.Common;

namespace AiStudio.Core.ApiTokens;

/// <summary>Personal access tokens: people create and revoke their own; the API authenticates with them.</summary>
public interface IApiTokenService
{
    /// <summary>Creates a token for the actor; the plaintext is in the result and is never retrievable again.</summary>
    Task<CreatedApiToken> CreateAsync(Actor actor, string name, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ApiTokenView>> ListAsync(Actor actor, CancellationToken cancellationToken = default);

    /// <exception cref="NotFoundException">The token does not exist or belongs to someone else.</exception>
    Task RevokeAsync(Actor actor, Guid tokenId, CancellationToken cancellationToken = default);

    /// <returns>The owner of an active token that matches, else null.</returns>
    Task<ApiTokenOwner?> AuthenticateAsync(string? presented, CancellationToken cancellationToken = default);
}

public sealed record CreatedApiToken(ApiTokenView Token, string Plaintext);

public sealed record ApiTokenView(Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
{
    public bool IsActive => RevokedAt is null;

    internal static ApiTokenView From(ApiToken t) => new(t.Id, t.Name, t.Prefix, t.CreatedAt, t.LastUsedAt, t.RevokedAt);
}

public sealed record ApiTokenOwner(Guid TokenId, string UserId, string UserName);
