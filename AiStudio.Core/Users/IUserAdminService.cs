using AiStudio.Core.Common;

namespace AiStudio.Core.Users;

/// <param name="Page">Zero-based.</param>
public sealed record UserSearch(string? Text = null, int Page = 0, int PageSize = 20);

/// <summary>What a user's builds have used: the builds they started and every attempt run in them.</summary>
public sealed record UserUsage(int BuildsStarted, int PhaseRuns, long InputTokens, long OutputTokens, decimal Cost)
{
    public static UserUsage None { get; } = new(0, 0, 0, 0, 0m);
}

public sealed record UserSummary(
    string Id,
    string Email,
    bool IsAdmin,
    bool IsConfiguredAdmin,
    bool IsLockedOut,
    DateTimeOffset? LockoutEnd,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? LastSignInAt,
    UserUsage Usage);

public sealed record UserPage(IReadOnlyList<UserSummary> Users, int TotalCount, int Page, int PageSize);

/// <summary>
/// Administrators' management of accounts. Every method checks that the actor is an administrator and
/// records an audit event in the same transaction as the change.
/// </summary>
public interface IUserAdminService
{
    /// <summary>Users whose email contains <see cref="UserSearch.Text"/>, ordered by email, one page at a time.</summary>
    Task<UserPage> SearchAsync(Actor actor, UserSearch search, CancellationToken cancellationToken = default);

    /// <summary>Locks the account until an administrator unlocks it; its sessions end at their next check.</summary>
    Task LockAsync(Actor actor, string userId, CancellationToken cancellationToken = default);

    Task UnlockAsync(Actor actor, string userId, CancellationToken cancellationToken = default);

    Task PromoteAsync(Actor actor, string userId, CancellationToken cancellationToken = default);

    /// <exception cref="DomainException">The user is listed in Admin:Emails, or is the last administrator.</exception>
    Task DemoteAsync(Actor actor, string userId, CancellationToken cancellationToken = default);
}
