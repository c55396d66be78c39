using System.Security.Cryptography;
using AiStudio.Core.Audit;
using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Core.ApiTokens;

internal sealed class ApiTokenService(IDbContextFactory<AiStudioDbContext> contexts, TimeProvider clock) : IApiTokenService
{
    public async Task<CreatedApiToken> CreateAsync(Actor actor, string name, CancellationToken cancellationToken = default)
    {
        var trimmed = ValidateName(name);
        var plaintext = ApiTokenSecret.New();
        var now = clock.GetUtcNow();
        var token = ApiToken.Create(actor.UserId, trimmed, plaintext[..ApiToken.PrefixLength], ApiTokenSecret.Hash(plaintext), now);

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ApiTokens.Add(token);
        db.AuditEvents.Add(AuditEvent.Create(now, actor.UserId, actor.DisplayName, ApiTokenAuditActions.Created, "ApiToken",
            token.Id.ToString(), after: "Active", detail: $"{token.Name} ({token.Prefix}…)"));
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedApiToken(ApiTokenView.From(token), plaintext);
    }

    public async Task<IReadOnlyList<ApiTokenView>> ListAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tokens = await db.ApiTokens.AsNoTracking()
            .Where(t => t.UserId == actor.UserId)
            .OrderByDescending(t => t.CreatedAt)
            .ToListAsync(cancellationToken);
        return tokens.Select(ApiTokenView.From).ToList();
    }

    public async Task RevokeAsync(Actor actor, Guid tokenId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // Only the owner: an admin revoking other people's tokens would be a separate, audited admin action.
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == tokenId && t.UserId == actor.UserId, cancellationToken)
            ?? throw new NotFoundException("That API token");
        var now = clock.GetUtcNow();
        token.Revoke(now);
        db.AuditEvents.Add(AuditEvent.Create(now, actor.UserId, actor.DisplayName, ApiTokenAuditActions.Revoked, "ApiToken",
            token.Id.ToString(), before: "Active", after: "Revoked", detail: $"{token.Name} ({token.Prefix}…)"));
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<ApiTokenOwner?> AuthenticateAsync(string? presented, CancellationToken cancellationToken = default)
    {
        // Malformed input never reaches the database.
        if (!ApiTokenSecret.IsWellFormed(presented))
        {
            return null;
        }

        var hash = ApiTokenSecret.Hash(presented!);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var match = await db.ApiTokens
            .Where(t => t.TokenHash == hash)
            .Select(t => new { Token = t, UserName = db.Users.Where(u => u.Id == t.UserId).Select(u => u.UserName).FirstOrDefault() })
            .SingleOrDefaultAsync(cancellationToken);

        // The lookup is by hash; the fixed-time comparison keeps the final check free of timing differences.
        if (match is null || !CryptographicOperations.FixedTimeEquals(match.Token.TokenHash, hash) || match.Token.IsRevoked)
        {
            return null;
        }

        if (match.Token.MarkUsed(clock.GetUtcNow()))
        {
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Recording the last use is best effort; a concurrent revoke or request must not fail authentication here.
            }
        }

        return new ApiTokenOwner(match.Token.Id, match.Token.UserId, match.UserName ?? match.Token.UserId);
    }

    private static string ValidateName(string? name) => TextInput.Require("Name", "Token name", name, ApiToken.NameMaxLength);
}
